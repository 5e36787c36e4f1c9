/**
 * The lists of a stand-in HubSpot portal and the Lists API v3 membership add
 * (`PUT /crm/v3/lists/{listId}/memberships/add`), for the HubSpot list sink.
 *
 * Followed (developers.hubspot.com, "Add records to a list", crm-lists-v3 and the legacy v3
 * reference): the body is a JSON array of record id strings; "records that do not exist or that
 * are already members of the list are ignored"; the answer is 200 with `recordIdsMissing` (ids not
 * in the portal) and the ids added, named `recordsIdsAdded` in the legacy v3 reference and
 * `recordIdsAdded` in the newer one (both are sent here; the sink reads neither); only lists with
 * processingType MANUAL or SNAPSHOT take memberships. `GET /crm/v3/lists/{listId}` ("Retrieve a list
 * by ID") answers `{ list: { listId, name, objectTypeId, processingType, … } }`. Scopes are not emulated (any valid token may).
 * Assumed (not documented): the wording and codes of the refusals (404 OBJECT_NOT_FOUND for an
 * unknown list, 400 VALIDATION_ERROR for a DYNAMIC list or a body that is not an array of ids);
 * no per-request limit on ids (none is documented; the sink sends at most 100).
 */
import { type HubspotErrorBody, hubspotError } from "./hubspot-portal.js";

export type ListProcessingType = "MANUAL" | "SNAPSHOT" | "DYNAMIC";

export type MembershipAnswer = { status: number; body: unknown };

export class HubspotLists {
  private readonly members = new Map<string, Set<string>>();
  private missNext = 0;

  /** `lists`: each list's ILS id and processing type. */
  constructor(private readonly lists: Readonly<Record<string, ListProcessingType>>) {
    for (const id of Object.keys(lists)) this.members.set(id, new Set());
  }

  /** The next `count` membership adds report every id as missing, as for contacts not yet visible. */
  reportMissingNext(count: number): void {
    this.missNext += count;
  }

  /** The list as `GET /crm/v3/lists/{listId}` answers it. */
  read(listId: string): MembershipAnswer {
    const type = this.lists[listId];
    if (type === undefined) {
      return refuse(404, hubspotError("OBJECT_NOT_FOUND", `List ${listId} does not exist.`));
    }
    const list = { listId, name: `List ${listId}`, objectTypeId: "0-1", processingType: type };
    return { status: 200, body: { list } };
  }

  /** Adds the ids `exists` knows to the list; answers as HubSpot does. */
  add(listId: string, body: unknown, exists: (id: string) => boolean): MembershipAnswer {
    const type = this.lists[listId];
    const members = this.members.get(listId);
    if (type === undefined || members === undefined) {
      return refuse(404, hubspotError("OBJECT_NOT_FOUND", `List ${listId} does not exist.`));
    }
    if (type === "DYNAMIC") {
      return refuse(
        400,
        hubspotError(
          "VALIDATION_ERROR",
          `List ${listId} has processingType DYNAMIC; memberships can only be changed for MANUAL or SNAPSHOT lists.`,
        ),
      );
    }
    if (!Array.isArray(body) || !body.every((id) => typeof id === "string" && /^\d+$/.test(id))) {
      return refuse(
        400,
        hubspotError("VALIDATION_ERROR", "Invalid input JSON: expected an array of record ids"),
      );
    }
    const missingAll = this.missNext > 0;
    if (missingAll) this.missNext -= 1;
    const added: string[] = [];
    const missing: string[] = [];
    for (const id of new Set(body as string[])) {
      if (missingAll || !exists(id)) missing.push(id);
      else if (!members.has(id)) {
        members.add(id);
        added.push(id);
      }
    }
    return {
      status: 200,
      body: {
        recordIdsMissing: missing,
        recordIdsRemoved: [],
        recordsIdsAdded: added,
        recordIdsAdded: added,
      },
    };
  }

  /** The record ids in a list, in the order they joined. */
  membersOf(listId: string): string[] {
    return [...(this.members.get(listId) ?? [])];
  }
}

function refuse(status: number, body: HubspotErrorBody): MembershipAnswer {
  return { status, body };
}
