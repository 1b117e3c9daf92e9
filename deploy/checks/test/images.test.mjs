// The images: one per service (quarkus-container-image-jib) and one for the replay job (the cli,
// jib-maven-plugin), named like the Cloud Run services Terraform creates, built by
// deploy/build-images.sh. deploy/check-images.sh builds them for real against a loopback registry;
// this checks the configuration that decides what runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { findFiles, read, repoRoot } from "../lib/repo.mjs";
import { loadConfigs, moduleDir } from "../lib/terraform.mjs";

const configs = await loadConfigs();
const mod = configs.get(moduleDir);
const SERVICES = ["ingest-bridge", "archive-sink", "analytics-loader", "alert-sink"];
const pom = (m) => read(join(repoRoot, m, "pom.xml"));
const prop = (xml, name) => new RegExp(`<${name.replace(/\./g, "\\.")}>([^<]*)</`).exec(xml)?.[1];

// Quarkus starts a fast-jar with run-java.sh (which appends $JAVA_OPTS_APPEND) only on these bases
// (JibProcessor.containsRunJava); on any other base the entrypoint is `java <jvm-arguments> -jar`.
const RUN_JAVA_BASES = ["registry.access.redhat.com/ubi9/openjdk-17-runtime", "registry.access.redhat.com/ubi9/openjdk-21-runtime"];

for (const m of SERVICES) {
  test(`${m}: one container-image extension (jib), a run-java.sh base, the app's name`, () => {
    const xml = pom(m);
    const extensions = [...xml.matchAll(/<artifactId>(quarkus-container-image-[a-z-]+)<\/artifactId>/g)].map((x) => x[1]);
    assert.deepEqual(extensions, ["quarkus-container-image-jib"], "Quarkus fails the build with two container-image extensions");
    const base = prop(xml, "quarkus.jib.base-jvm-image");
    assert.ok(RUN_JAVA_BASES.some((b) => base.startsWith(`${b}:`)), `${m}: base ${base} starts the app with run-java.sh`);
    assert.equal(prop(xml, "quarkus.container-image.name"), "${project.artifactId}", "image name = module = Cloud Run service");
    assert.equal(prop(xml, "quarkus.jib.ports"), "8080", "Cloud Run sends $PORT=8080");
  });
}

test("every JAVA_OPTS_APPEND the deploy sets repeats the image's own jvm-arguments (it replaces them)", () => {
  const args = new Set(SERVICES.map((m) => prop(pom(m), "quarkus.jib.jvm-arguments")));
  assert.equal(args.size, 1, "the services share their jvm-arguments");
  const [imageArgs] = args;
  assert.match(imageArgs, /-Djava\.util\.logging\.manager=org\.jboss\.logmanager\.LogManager/);
  assert.ok(mod.locals.default_jvm_flags.includes(imageArgs), "Terraform's default flags");
  for (const f of findFiles(join(repoRoot, "deploy", "cloudrun"), [".yaml"])) {
    for (const e of YAML.parse(read(f)).spec.template.spec.containers[0].env) {
      if (e.name === "JAVA_OPTS_APPEND") assert.ok(e.value.includes(imageArgs), `${f}: JAVA_OPTS_APPEND keeps ${imageArgs}`);
    }
  }
  assert.match(mod.locals.plain_env, /contains\(keys\(local\.service_url\), s\) \? \{ JAVA_OPTS_APPEND = local\.jvm_flags\[s\] \}/,
    "only the services (run-java.sh) get JAVA_OPTS_APPEND");
});

test("the cli image: jib-maven-plugin in the profile the services' switch turns on, the CLI as entrypoint", () => {
  const xml = pom("cli");
  const profile = xml.slice(xml.indexOf("<id>image</id>"));
  assert.match(profile, /<property><name>quarkus\.container-image\.build<\/name><value>true<\/value><\/property>/);
  assert.match(profile, /<artifactId>jib-maven-plugin<\/artifactId>/);
  assert.match(profile, /<mainClass>\$\{main\.class\}<\/mainClass>/);
  assert.equal(prop(xml, "main.class"), "dev.fanout.cli.FanoutCli");
  assert.match(profile, /<image>\$\{quarkus\.container-image\.registry\}\/\$\{quarkus\.container-image\.group\}\/cli:\$\{quarkus\.container-image\.tag\}<\/image>/);
  assert.match(profile, /<FANOUT_VERSION>\$\{quarkus\.container-image\.tag\}<\/FANOUT_VERSION>/, "the CLI prints the image's git sha");
});

test("the images build-images.sh makes are the ones Terraform runs and the workflows deploy", () => {
  const script = read(join(repoRoot, "deploy/build-images.sh"));
  const built = /modules=\(([a-z -]+)\)/.exec(script)[1].split(" ");
  assert.deepEqual(built.sort(), [...SERVICES, "cli"].sort());
  assert.match(mod.resource.google_cloud_run_v2_service.service.template[0].containers[0].image, /\/\$\{each\.key\}:\$\{var\.image_tag\}$/);
  assert.match(mod.resource.google_cloud_run_v2_job.replay.template[0].template[0].containers[0].image, /\/cli:\$\{var\.image_tag\}$/);
  assert.deepEqual(Object.keys(mod.locals.request_timeout).sort(), [...SERVICES].sort(), "the services Terraform deploys");
  for (const s of ["deploy/promote-images.sh"]) {
    assert.match(read(join(repoRoot, s)), new RegExp(`"${[...SERVICES, "cli"].join(" ")}"`), `${s} copies every image`);
  }
  // No Dockerfile is left to drift from what jib builds.
  const tracked = execFileSync("git", ["ls-files"], { cwd: repoRoot, encoding: "utf8" }).split("\n");
  assert.deepEqual(tracked.filter((f) => /(^|\/)Dockerfile[^/]*$/.test(f)), []);
  assert.ok(!existsSync(join(repoRoot, "deploy/Dockerfile.jvm")));
});
