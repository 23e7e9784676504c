// Package conf owns the gateway's configuration model: the Config type, its
// YAML loader and its validation. Every error names the file, the line and the
// key that caused it (e.g. "smsgw.yaml:12: operators[1].tps: must be > 0"), and
// no error or String() ever carries a password or API key.
//
// The conf actor (the one writer of configuration, which applies
// instructions and broadcasts new versions) builds on this model.
package conf
