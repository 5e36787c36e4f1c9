/** The library's entry: one pipeline definition, the tier picked by config. */
import type { ClaypipeConfig } from "../config/schema.js";
import { ClaypipeError } from "../core/errors.js";
import {
  createStandardPipeline,
  type StandardPipelineOptions,
} from "./create-standard-pipeline.js";
import type { Pipeline } from "./pipeline-api.js";

export async function createPipeline(
  config: ClaypipeConfig,
  options: StandardPipelineOptions = {},
): Promise<Pipeline> {
  switch (config.tier) {
    case "standard":
      return createStandardPipeline(config, options);
    case "direct":
      throw new ClaypipeError(
        "config_invalid",
        "the direct tier has no pipeline service: it sends and reads back directly",
        {
          hint: "use createDirectPipeline(config) (CLI: claypipe send / enrich), or set tier: standard",
        },
      );
  }
}
