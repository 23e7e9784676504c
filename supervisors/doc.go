// Package supervisors holds the supervision trees: which actor supervises
// which, with what strategy, restart intensity and backoff. One file per
// subtree; every supervisor opens with a comment saying what it supervises.
//
//	root guardian (one_for_one, 10 restarts / 10 s)
//	├── callbacks            outbox deliverer
//	├── retention            deletes finished messages past the retention period
//	├── mo-sweeper           delivers multipart MOs whose parts never all came
//	├── customers            one_for_one, 10 / min, respawn after 5 s when exceeded
//	│   └── <customer id>    admission for one account
//	└── operators            one_for_one, 10 / min, respawn after 5 s when exceeded
//	    └── <operator id>    throttle queue; supervises its binds with
//	        └── bind-N       exponential backoff 0.5 s … 30 s, give up after
//	                         50 failures / 10 min, operator respawns it after 30 s
package supervisors
