// Marks this jest run; the offline plan (see helpers/offline-plan.ts) is produced at most once per run,
// and only when a test asks for it.
module.exports = async () => {
  process.env.CCI_LITE_TEST_RUN = `${process.pid}-${Date.now()}`;
};
