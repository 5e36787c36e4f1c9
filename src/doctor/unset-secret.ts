/** A check that needs a secret whose variable is unset says so instead of trying. */
import { isSet, requireSet } from "../config/unset-variable.js";
import { ClaypipeError } from "../core/errors.js";
import { type DoctorCheck, type DoctorGroup, error } from "./doctor-report.js";

/** The error line for `value` when it is an unset variable's stand-in; undefined when it is set. */
export function unsetSecret(
  group: DoctorGroup,
  name: string,
  value: string,
  key: string,
): DoctorCheck | undefined {
  if (isSet(value)) return undefined;
  try {
    requireSet(value, key);
  } catch (thrown) {
    if (thrown instanceof ClaypipeError) {
      return error(group, name, `not checked: ${thrown.message}`, thrown.hint ?? "");
    }
    throw thrown;
  }
  return undefined;
}
