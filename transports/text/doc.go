// Package text owns the bodies of short messages: the GSM 03.38 default
// alphabet and its extension table (unpacked, one septet per octet as SMPP
// links use with data_coding 0, and packed 7-bit), UCS2 (UTF-16BE), the
// choice between them, splitting long texts into concatenated parts with a
// user data header (IEI 0x00 or 0x08), parsing such headers on received
// messages, and decoding bodies by data_coding.
//
// It knows nothing about PDUs or sessions: callers put Part.Payload into
// short_message with Part.DataCoding and Part.ESMClass, and hand received
// short_message bytes to ParseUDH and Decode.
package text
