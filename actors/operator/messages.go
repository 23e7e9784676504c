package operator

import "time"

// Job is one part on its way to an operator. The operator actor that holds
// it is the only one that mutates it.
type Job struct {
	MessageID          string
	Part               int
	Parts              int
	Customer           string
	From, To           string
	DataCoding         byte
	ESMClass           byte
	Payload            []byte
	RegisteredDelivery bool
	Route              []string // operators in failover order
	Hop                int      // index in Route of the operator now carrying the job
	AcceptedAt         time.Time
	Attempts           int // temporary failures at the current operator
	sentAt             time.Time
}

// Enqueue hands jobs to an operator (from admission, recovery or failover).
type Enqueue struct {
	Jobs []*Job
}

// retry puts a job back after a temporary failure's backoff.
type retry struct {
	job *Job
}

// tick wakes the dispatcher when the token bucket or a pause allows sending again.
type tick struct{}

// check runs the periodic housekeeping: failover when all binds are down.
type check struct{}

// respawnBind restarts a bind whose supervisor gave up on it.
type respawnBind struct {
	name string
}
