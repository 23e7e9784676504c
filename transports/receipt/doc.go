// Package receipt owns the text of SMPP delivery receipts (SMPP 3.4
// Appendix B, "id:… sub:… dlvrd:… submit date:… done date:… stat:… err:…
// text:…"): parsing the many shapes operators send, formatting the exact
// shape we send to customers, mapping stat words to message_state values,
// and the forms under which an operator's message id may have been stored
// so a receipt can be matched to its submit.
package receipt
