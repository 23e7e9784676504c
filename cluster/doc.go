// Package cluster bootstraps a node: the store, the actor system with its
// supervision tree, and the HTTP listener, wired from one configuration.
// Today a node runs alone; protoactor's cluster membership and the kinds
// (operators and customers as virtual actors) come with the cluster work.
package cluster
