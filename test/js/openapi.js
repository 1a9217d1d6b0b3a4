// Checks the server's OpenAPI document with real validators from the npm
// registry, for the Go test TestOpenAPIValid:
//   1. the document served at DOC_URL is a valid OpenAPI 3.1 document
//      (@seriousme/openapi-schema-validator, against the official schemas);
//   2. every example in it (media-type example/examples, schema examples)
//      is valid against the schema it illustrates (Ajv, JSON Schema 2020-12,
//      the dialect of OpenAPI 3.1);
//   3. every response in SAMPLES_FILE — real answers the Go test collected
//      from a real server, [{method, path, status, body}] with path as the
//      document names it — is documented for its status and valid against
//      the documented schema.
// Usage: node openapi.js DOC_URL SAMPLES_FILE
// Prints one line per problem and a summary; exits 1 on any problem.
"use strict";

const fs = require("node:fs");
const Ajv2020 = require("ajv/dist/2020").default;
const addFormats = require("ajv-formats").default;

const DOC_ID = "urn:talus:openapi";

async function main() {
  const [docURL, samplesFile] = process.argv.slice(2);
  if (!docURL || !samplesFile) {
    console.error("usage: node openapi.js DOC_URL SAMPLES_FILE");
    process.exit(2);
  }
  const res = await fetch(docURL);
  if (!res.ok) throw new Error(`GET ${docURL}: ${res.status}`);
  const doc = await res.json();
  const problems = [];

  const { Validator } = await import("@seriousme/openapi-schema-validator");
  const validator = new Validator();
  const verdict = await validator.validate(structuredClone(doc));
  if (!verdict.valid) {
    problems.push(`document: not valid OpenAPI: ${JSON.stringify(verdict.errors)}`);
  } else if (validator.version !== "3.1") {
    problems.push(`document: OpenAPI ${validator.version}, want 3.1`);
  }

  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const f of ["int32", "int64", "float", "double"]) ajv.addFormat(f, true);
  ajv.addSchema(rewriteRefs({ components: doc.components }), DOC_ID);
  const compile = (schema) => ajv.compile(rewriteRefs(structuredClone(schema)));
  const check = (where, schema, value) => {
    let validate;
    try {
      validate = compile(schema);
    } catch (err) {
      problems.push(`${where}: schema does not compile: ${err.message}`);
      return;
    }
    if (!validate(value)) {
      problems.push(`${where}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(value).slice(0, 300)}`);
    }
  };

  let examples = 0;
  walkExamples(doc, [], (where, schema, value) => {
    examples++;
    check(where, schema, value);
  });

  const samples = JSON.parse(fs.readFileSync(samplesFile, "utf8"));
  for (const s of samples) {
    const where = `${s.method} ${s.path} ${s.status}`;
    const op = doc.paths[s.path] && doc.paths[s.path][s.method.toLowerCase()];
    if (!op) {
      problems.push(`${where}: no such operation in the document`);
      continue;
    }
    let resp = op.responses[String(s.status)];
    if (!resp) {
      problems.push(`${where}: status not documented`);
      continue;
    }
    if (resp.$ref) resp = pointer(doc, resp.$ref);
    const media = resp.content && resp.content["application/json"];
    if (s.body === null || s.body === undefined) {
      if (media) problems.push(`${where}: documented with a JSON body, answered none`);
      continue;
    }
    if (!media || !media.schema) {
      problems.push(`${where}: answered a JSON body the document does not describe`);
      continue;
    }
    check(`${where} (live answer)`, media.schema, s.body);
  }

  for (const p of problems) console.log(p);
  console.log(`checked: document ${verdict.valid ? "valid" : "INVALID"} (OpenAPI ${validator.version}), ${examples} examples, ${samples.length} live answers, ${problems.length} problems`);
  process.exit(problems.length ? 1 : 0);
}

// rewriteRefs points the document's local refs (#/components/...) at the
// copy of its components added to Ajv under DOC_ID.
function rewriteRefs(node) {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node && typeof node === "object") {
    const out = {};
    for (const [k, v] of Object.entries(node)) {
      out[k] = k === "$ref" && typeof v === "string" && v.startsWith("#/") ? DOC_ID + v : rewriteRefs(v);
    }
    return out;
  }
  return node;
}

function pointer(doc, ref) {
  return ref
    .slice(2)
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((n, k) => n[k], doc);
}

// walkExamples calls fn(where, schema, example) for every example in the
// document: a media type's example and examples{}.value against its schema,
// and a schema's own examples[] against that schema.
function walkExamples(node, path, fn) {
  if (!node || typeof node !== "object") return;
  if (Array.isArray(node)) {
    node.forEach((v, i) => walkExamples(v, path.concat(i), fn));
    return;
  }
  const where = path.join("/");
  const inSchema = path.includes("schema") || path.includes("schemas");
  if (node.schema && !inSchema && ("example" in node || "examples" in node)) {
    if ("example" in node) fn(`${where} example`, node.schema, node.example);
    for (const [name, ex] of Object.entries(node.examples || {})) {
      if (ex && "value" in ex) fn(`${where} examples.${name}`, node.schema, ex.value);
    }
  }
  if (inSchema && Array.isArray(node.examples)) {
    node.examples.forEach((ex, i) => fn(`${where} examples[${i}]`, node, ex));
  }
  if (inSchema && "example" in node && !node.schema) fn(`${where} example`, node, node.example);
  for (const [k, v] of Object.entries(node)) {
    if (k === "example" || (k === "examples" && inSchema)) continue;
    walkExamples(v, path.concat(k), fn);
  }
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exit(1);
});
