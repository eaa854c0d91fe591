// Integration suites start nats-server, ipmi_sim and controller processes: generous per-test
// timeouts, but every wait inside a test is bounded on its own.
module.exports = require('../../jest.preset')(__dirname, { testTimeout: 120000 });
