// Structural equality that works across jest's realms (fast-deep-equal's instanceof checks do not).
const { isDeepStrictEqual } = require("util");
module.exports = function equal(a, b) {
  return isDeepStrictEqual(a, b);
};
