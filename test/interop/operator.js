// An operator SMSC built on node-smpp, the independent SMPP implementation
// smsgw is tested against. It accepts any bind, answers every submit_sm with
// a hex message id and, when registered_delivery asks, sends an Appendix B
// delivery receipt with the receipted_message_id/message_state TLVs.
// Prints "listening <port>" on start and one JSON stats line on stdin "stats".
'use strict';
const smpp = require('smpp');
const readline = require('readline');

let nextId = 0x1000;
const stats = { binds: 0, submits: 0, udh: 0, ucs2: 0, receipts: 0, receiptAcks: 0 };
const pad = (n) => String(n).padStart(2, '0');
const stamp = (d) => pad(d.getUTCFullYear() % 100) + pad(d.getUTCMonth() + 1) + pad(d.getUTCDate()) + pad(d.getUTCHours()) + pad(d.getUTCMinutes());

const server = smpp.createServer((session) => {
  session.on('bind_transceiver', (pdu) => { stats.binds++; session.send(pdu.response()); });
  session.on('bind_transmitter', (pdu) => { stats.binds++; session.send(pdu.response()); });
  session.on('bind_receiver', (pdu) => { stats.binds++; session.send(pdu.response()); });
  session.on('enquire_link', (pdu) => session.send(pdu.response()));
  session.on('unbind', (pdu) => { session.send(pdu.response()); session.close(); });
  session.on('submit_sm', (pdu) => {
    stats.submits++;
    if (pdu.esm_class & 0x40) stats.udh++;
    if (pdu.data_coding === 8) stats.ucs2++;
    const id = (nextId++).toString(16);
    session.send(pdu.response({ message_id: id }));
    if ((pdu.registered_delivery & 0x03) === 0) return;
    const now = stamp(new Date());
    setTimeout(() => {
      stats.receipts++;
      session.deliver_sm({
        source_addr: pdu.destination_addr,
        destination_addr: pdu.source_addr,
        esm_class: 0x04,
        data_coding: 0,
        short_message: `id:${id} sub:001 dlvrd:001 submit date:${now} done date:${now} stat:DELIVRD err:000 text:none`,
        receipted_message_id: id,
        message_state: 2,
      }, (resp) => { if (resp.command_status === 0) stats.receiptAcks++; });
    }, 20);
  });
  session.on('error', () => {});
});

server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  console.log('listening ' + server.address().port);
});

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'stats') console.log(JSON.stringify(stats));
}).on('close', () => process.exit(0));
