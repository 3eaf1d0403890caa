// Registers cdktf's jest matchers (toHaveResource, toBeValidTerraform, ...).
const { Testing } = require("cdktf");
Testing.setupJest();
