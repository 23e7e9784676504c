// A customer ESME built on node-smpp, the independent SMPP implementation.
// usage: node esme.js MODE PORT SYSTEM_ID PASSWORD COUNT
//   trx: bind transceiver, submit COUNT messages (window 10, registered
//        delivery) and wait for their receipts
//   tx:  bind transmitter, submit COUNT messages, unbind
//   rx:  bind receiver, take COUNT receipts (and no more within 2 s), unbind
//   dup: bind transmitter, submit one message COUNT times with the same
//        user_message_reference (a customer retransmitting after a timeout)
// Prints one JSON line: {"submitted":[ids],"errors":n,"receipts":[ids],"dupReceipts":n,"mismatch":n}
'use strict';
const smpp = require('smpp');
const [mode, port, systemId, password, countArg] = process.argv.slice(2);
const count = Number(countArg);
const out = { submitted: [], errors: 0, receipts: [], dupReceipts: 0, mismatch: 0 };
const seen = new Set();
const session = smpp.connect({ url: `smpp://127.0.0.1:${port}`, auto_enquire_link_period: 10000 });
const bindCmd = { trx: 'bind_transceiver', tx: 'bind_transmitter', rx: 'bind_receiver', dup: 'bind_transmitter' }[mode];
const done = () => { console.log(JSON.stringify(out)); session.unbind(() => session.close()); setTimeout(() => process.exit(0), 500); };
setTimeout(() => { out.timeout = true; done(); }, 120000);

session.on('deliver_sm', (pdu) => {
  session.send(pdu.response());
  if (!(pdu.esm_class & 0x04)) return;
  const id = pdu.receipted_message_id;
  const text = pdu.short_message && pdu.short_message.message ? pdu.short_message.message : String(pdu.short_message);
  if (!text.startsWith('id:' + id + ' ')) out.mismatch++;
  if (seen.has(id)) { out.dupReceipts++; return; }
  seen.add(id);
  out.receipts.push(id);
  if (mode === 'trx' && out.receipts.length === count) done();
  if (mode === 'rx' && out.receipts.length === count) setTimeout(done, 2000);
});
session.on('error', (e) => { out.error = String(e); done(); });

function message(i) {
  const base = { source_addr: 'ACME', destination_addr: '4477005' + String(i).padStart(5, '0'), registered_delivery: 1 };
  switch (i % 3) {
    case 0: return { ...base, data_coding: 0, short_message: 'node-smpp hello ' + i };
    case 1: return { ...base, data_coding: 8, short_message: Buffer.from('\u00fcber \u{1F600} ' + i, 'utf16le').swap16() };
    default: {
      const udh = Buffer.from([5, 0, 3, i & 0xff, 2, 1]);
      return { ...base, data_coding: 0, esm_class: 0x40, short_message: { udh, message: 'part one of a concatenated message ' + i } };
    }
  }
}

session[bindCmd]({ system_id: systemId, password }, (pdu) => {
  if (pdu.command_status !== 0) { out.bindStatus = pdu.command_status; done(); return; }
  if (mode === 'rx') return;
  if (mode === 'dup') {
    let answered = 0;
    for (let i = 0; i < count; i++) {
      session.submit_sm({ source_addr: 'ACME', destination_addr: '447700900999', data_coding: 0, registered_delivery: 1,
        short_message: 'pay 10 EUR', user_message_reference: 42 }, (resp) => {
        if (resp.command_status === 0) out.submitted.push(resp.message_id); else out.errors++;
        if (++answered === count) done();
      });
    }
    return;
  }
  let next = 0, inflight = 0, answered = 0;
  const pump = () => {
    while (inflight < 10 && next < count) {
      const i = next++;
      inflight++;
      session.submit_sm(message(i), (resp) => {
        inflight--; answered++;
        if (resp.command_status === 0) out.submitted.push(resp.message_id); else out.errors++;
        if (answered === count && mode === 'tx') done();
        pump();
      });
    }
  };
  pump();
});
