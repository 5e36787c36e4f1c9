/**
 * A HubSpot contact as a lead: each lead field from its mapped contact property
 * (`properties`, lead field ← property), and `hubspot_contact_id`, so results
 * can be written back to the same contact.
 */
import {
  DEFAULT_HUBSPOT_PROPERTIES,
  type HubspotIntakeConfig,
} from "../../config/source-intake-schema.js";
import type { ContactProperties } from "./hubspot-contact-reader.js";

export function hubspotPropertyMapping(
  config: Pick<HubspotIntakeConfig, "properties">,
): Readonly<Record<string, string>> {
  return config.properties ?? DEFAULT_HUBSPOT_PROPERTIES;
}

export function hubspotContactToLead(
  id: string,
  properties: ContactProperties,
  mapping: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const lead: Record<string, unknown> = { hubspot_contact_id: id };
  for (const [leadField, property] of Object.entries(mapping)) {
    const value: unknown = properties[property];
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      lead[leadField] = value;
    }
  }
  return lead;
}
