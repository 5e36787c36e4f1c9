// Run as `node --import ./record-loaded-packages.mjs test/library/loaded-packages.mjs
// <entry> [config.json]`: imports the entry as a library user does and, given a
// config, creates and stops a pipeline from it; the preload records what loaded.
const [entry, configJson] = process.argv.slice(2);
const claypipe = await import(entry);
if (configJson) {
  const pipeline = await claypipe.createPipeline(
    claypipe.configSchema.parse(JSON.parse(configJson)),
  );
  await pipeline.stop();
}
