// Checks an Adaptive Card with Microsoft's own library (npm `adaptivecards`, installed by
// scripts/test-deps under $KP_CACHE/npm-adaptivecards): parses it as a 1.4 host would and
// prints the problems it reports as a JSON list of strings, `[]` for a valid card.
//
//   node adaptive_card_check.js LIBRARY_DIR CARD.json
const [libraryDir, cardFile] = process.argv.slice(2);
const AC = require(libraryDir + "/node_modules/adaptivecards/dist/adaptivecards.js");
const json = JSON.parse(require("fs").readFileSync(cardFile, "utf8"));
const context = new AC.SerializationContext();
context.targetVersion = AC.Versions.v1_4;
const card = new AC.AdaptiveCard();
card.parse(json, context);
const problems = [];
for (let i = 0; i < context.eventCount; i++) {
  const e = context.getEventAt(i);
  problems.push(`${AC.ValidationEvent[e.event]}: ${e.message}`);
}
for (const e of card.validateProperties().validationEvents) {
  problems.push(`${AC.ValidationEvent[e.event]}: ${e.message}`);
}
console.log(JSON.stringify(problems));
