// A node-smpp customer for TestNodeSMPPCustomer: binds as transceiver,
// submits 100 messages with at most 10 outstanding, acks every deliver_sm
// and unbinds once it has 100 submit_sm_resp and 100 receipts.
const smpp = require('smpp');

const [host, port] = process.argv[2].split(':');
const total = 100, window = 10;
let sent = 0, acked = 0, receipts = 0, inflight = 0;

const fail = (msg) => { console.error(msg); process.exit(1); };
setTimeout(() => fail(`timeout: submitted ${acked} receipts ${receipts}`), 30000).unref();

const session = smpp.connect({ host, port: Number(port) });
session.on('error', (e) => fail('session error: ' + e));
session.on('deliver_sm', (pdu) => {
  if (pdu.esm_class !== 4) fail('not a receipt: esm_class ' + pdu.esm_class);
  receipts++;
  session.send(pdu.response());
  done();
});

function pump() {
  while (inflight < window && sent < total) {
    inflight++;
    sent++;
    session.submit_sm({
      source_addr: 'SENDER', destination_addr: '4915' + sent,
      registered_delivery: 1, short_message: 'message ' + sent,
    }, (pdu) => {
      if (pdu.command_status !== 0 || !pdu.message_id) fail('submit_sm_resp status ' + pdu.command_status);
      inflight--;
      acked++;
      pump();
      done();
    });
  }
}

let finished = false;
function done() {
  if (finished || acked < total || receipts < total) return;
  finished = true;
  console.log(`submitted ${acked} receipts ${receipts}`);
  session.unbind(() => session.close());
}

session.bind_transceiver({ system_id: 'user', password: 'pw' }, (pdu) => {
  if (pdu.command_status !== 0) fail('bind status ' + pdu.command_status);
  pump();
});
