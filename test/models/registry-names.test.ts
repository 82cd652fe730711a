/** Model references, and paths and URIs that would leave the model store: refused before anything is read. */
import * as fs from "fs";
import * as path from "path";
import { parseModelRef } from "../../launcher/models/model-ref";
import { GcsModelStore, LocalModelStore } from "../../launcher/models/model-store";
import { InvalidIdentifierError } from "../../io/identifiers/project";
import { UsageError } from "../../launcher/errors";
import { tempDir } from "../support/temp";

test.each([
  ["flights-delay", { name: "flights-delay" }],
  ["flights-delay@champion", { name: "flights-delay", alias: "champion" }],
  ["flights-delay@12", { name: "flights-delay", version: 12 }],
])("%s parses", (text, ref) => expect(parseModelRef(text)).toEqual(ref));

test.each(["", "Flights", "flights@", "flights@0", "flights@a@b", "../x@1", "flights@Champion"])(
  "%j is refused",
  (text) => {
    expect(() => parseModelRef(text)).toThrow(UsageError);
  },
);

const work = tempDir("model-store");
afterAll(() => work.cleanup());

test("the local store reads only <name>/v<version> folders inside its root", async () => {
  const store = new LocalModelStore(path.join(work.dir, "models"));
  const source = path.join(work.dir, "trained");
  fs.mkdirSync(source);
  for (const file of ["model.json", "card.json", "model.pkl", "notes.txt"])
    fs.writeFileSync(path.join(source, file), "{}");
  const uri = await store.put("flights-delay", 3, source);
  expect(fs.readdirSync(uri).sort()).toEqual(["card.json", "model.json"]); // a pickle is never copied in, so never loaded
  await expect(store.read(uri, "model.json")).resolves.toEqual(Buffer.from("{}"));
  for (const escaping of [
    path.join(work.dir, "elsewhere", "flights-delay", "v3"),
    `${uri}/../../../trained`,
    "../trained",
    "flights-delay/../../trained",
    path.join(work.dir, "models"),
    "gs://b/models/flights-delay/v3",
  ]) {
    await expect(store.read(escaping, "model.json")).rejects.toBeInstanceOf(InvalidIdentifierError);
  }
});

test("the Cloud Storage store accepts only version folders under its own bucket and prefix", async () => {
  const store = new GcsModelStore("gs://rox-models/registry/");
  expect(store.root).toBe("gs://rox-models/registry");
  for (const escaping of [
    "gs://other-bucket/registry/flights-delay/v1",
    "gs://rox-models/elsewhere/flights-delay/v1",
    "gs://rox-models/registry/flights-delay/v1/../../x/v1",
    "gs://rox-models/registry/../registry/flights-delay/v1",
    "/tmp/x",
  ]) {
    await expect(store.read(escaping, "card.json")).rejects.toBeInstanceOf(InvalidIdentifierError);
  }
});
