// Validates Kubernetes manifests offline, for deploy/lint.sh.
//
// Two independent checks per object, both from npm packages that ship the Kubernetes API offline:
//  1. schema: kubernetes-models (JSON schemas compiled from the Kubernetes OpenAPI spec, plus the KEDA
//     CRDs from @kubernetes-models/keda): types, enums, required fields, formats;
//  2. strict fields: those schemas accept unknown keys, so a typo such as `imagePullPolicyy` would
//     pass. The field lists of @kubernetes/client-node's generated models (OpenAPI v1.34) catch
//     every key the API does not define, as `kubectl apply --validate=strict` would.
// usage: node validate-k8s.mjs FILE... (multi-document YAML; "-" reads stdin). Prints one line per
// object, exits 1 if any object fails.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import * as k8sModels from "@kubernetes/client-node/dist/gen/models/all.js";

// Kinds whose models live outside kubernetes-models, and how to import them.
const CRD_MODULES = {
  "keda.sh/v1alpha1": "@kubernetes-models/keda/keda.sh/v1alpha1",
};
// Field maps that are free-form by design (labels, annotations, data, selectors' matchLabels).
const FREE_FORM = /^\{ \[key: string\]: .* \}$/;

function modelModule(apiVersion, kind) {
  if (CRD_MODULES[apiVersion]) return `${CRD_MODULES[apiVersion]}/${kind}`;
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  return group ? `kubernetes-models/${group}/${version}/${kind}` : `kubernetes-models/${version}/${kind}`;
}

// client-node names models V1Deployment, V2HorizontalPodAutoscaler, V1CronJob...
function clientModelName(apiVersion, kind) {
  const version = apiVersion.includes("/") ? apiVersion.split("/")[1] : apiVersion;
  return version.charAt(0).toUpperCase() + version.slice(1) + kind;
}

function unknownFields(value, type, path, out) {
  if (value === null || value === undefined) return;
  if (type.startsWith("Array<")) {
    if (!Array.isArray(value)) return; // the schema check reports wrong types
    const inner = type.slice(6, -1);
    value.forEach((v, i) => unknownFields(v, inner, `${path}[${i}]`, out));
    return;
  }
  if (FREE_FORM.test(type)) return;
  const model = k8sModels[type];
  if (!model || typeof model.getAttributeTypeMap !== "function") return; // scalar, IntOrString, object
  if (typeof value !== "object" || Array.isArray(value)) return;
  const attrs = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [key, v] of Object.entries(value)) {
    if (!attrs.has(key)) out.push(`${path}.${key}: unknown field (not in ${type})`);
    else unknownFields(v, attrs.get(key), `${path}.${key}`, out);
  }
}

async function validateObject(obj) {
  const problems = [];
  const { apiVersion, kind } = obj;
  if (!apiVersion || !kind) return ["missing apiVersion or kind"];
  let Model;
  try {
    const mod = await import(modelModule(apiVersion, kind));
    Model = mod[kind];
  } catch {
    return [`no schema for ${apiVersion} ${kind}`];
  }
  try {
    new Model(obj).validate();
  } catch (e) {
    problems.push(`schema: ${e.message}`);
  }
  if (!CRD_MODULES[apiVersion]) {
    const type = clientModelName(apiVersion, kind);
    if (!k8sModels[type]) problems.push(`no field list for ${type}`);
    else unknownFields(obj, type, kind, problems);
  }
  if (!obj.metadata || !obj.metadata.name) problems.push("metadata.name missing");
  return problems;
}

async function main(files) {
  let failed = 0;
  let count = 0;
  for (const file of files) {
    const text = readFileSync(file === "-" ? 0 : file, "utf8");
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length) {
        console.log(`FAIL ${file}: YAML: ${doc.errors[0].message}`);
        failed++;
        continue;
      }
      const obj = doc.toJS();
      if (obj === null || obj === undefined) continue;
      count++;
      const label = `${file}: ${obj.kind}/${obj.metadata?.name ?? "?"}`;
      const problems = await validateObject(obj);
      if (problems.length) {
        failed++;
        console.log(`FAIL ${label}\n  ${problems.join("\n  ")}`);
      } else {
        console.log(`ok   ${label}`);
      }
    }
  }
  if (count === 0) {
    console.log("FAIL no Kubernetes object found");
    failed++;
  }
  process.exit(failed ? 1 : 0);
}

main(process.argv.slice(2));
