package supervisors

import (
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/rs/zerolog"

	"smsgw/actors/callback"
	"smsgw/actors/customer"
	"smsgw/actors/mo"
	"smsgw/actors/operator"
	"smsgw/actors/retention"
	"smsgw/persistence"
)

// Spec is everything the node's tree is built from.
type Spec struct {
	Operators    []operator.Config
	OperatorDeps operator.Deps // Load and Callbacks are filled in per operator
	Loads        map[string]*operator.Load
	Customers    []customer.Config
	CustomerDeps customer.Deps
	Callback     callback.Config
	CallbackDeps callback.Deps
	Retention    retention.Config
	Store        persistence.Store
	MO           *mo.Router
	MOSweeper    mo.SweeperConfig
	Log          zerolog.Logger
}

// Tree is the running top of the supervision tree.
type Tree struct {
	system                                                *actor.ActorSystem
	Callbacks, Customers, Operators, Retention, MOSweeper *actor.PID
}

// Start spawns the tree under the root guardian: the callback deliverer
// first (operators wake it), then customers, then operators (their binds
// start connecting at once, before any traffic).
func Start(system *actor.ActorSystem, s Spec) (*Tree, error) {
	t := &Tree{system: system}
	var err error
	if t.Callbacks, err = system.Root.SpawnNamed(callback.Props(s.Callback, s.CallbackDeps), "callbacks"); err != nil {
		return nil, fmt.Errorf("spawn callbacks: %w", err)
	}
	if t.Retention, err = system.Root.SpawnNamed(retention.Props(s.Retention, s.Store, s.Log), "retention"); err != nil {
		return nil, fmt.Errorf("spawn retention: %w", err)
	}
	if t.MOSweeper, err = system.Root.SpawnNamed(mo.SweeperProps(s.MOSweeper, s.Store, s.MO, s.Log), "mo-sweeper"); err != nil {
		return nil, fmt.Errorf("spawn mo-sweeper: %w", err)
	}
	var customers []child
	for _, c := range s.Customers {
		customers = append(customers, child{name: c.ID, props: customer.Props(c, s.CustomerDeps)})
	}
	if t.Customers, err = system.Root.SpawnNamed(groupProps(customers, 10, 5*time.Second, s.Log), customer.Parent); err != nil {
		return nil, fmt.Errorf("spawn customers: %w", err)
	}
	deps := s.OperatorDeps
	deps.Callbacks, deps.Wake = t.Callbacks, &callback.Wake{}
	if t.Operators, err = system.Root.SpawnNamed(operatorsProps(s.Operators, deps, s.Loads, s.Log), operator.Parent); err != nil {
		return nil, fmt.Errorf("spawn operators: %w", err)
	}
	for _, pid := range []*actor.PID{t.Customers, t.Operators} {
		if _, err := system.Root.RequestFuture(pid, &ping{}, 10*time.Second).Result(); err != nil {
			return nil, fmt.Errorf("start %s: %w", pid.Id, err)
		}
	}
	return t, nil
}

// Stop drains the tree: operators first (binds unbind; what is still
// queued stays in the store for the next start), then the rest.
func (t *Tree) Stop() {
	for _, pid := range []*actor.PID{t.Operators, t.Customers, t.Callbacks, t.Retention, t.MOSweeper} {
		_ = t.system.Root.PoisonFuture(pid).Wait()
	}
}
