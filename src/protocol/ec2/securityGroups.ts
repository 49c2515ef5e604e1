// (being written)
import type { ActionTable } from "../actions.js";

export const SECURITY_GROUP_ACTIONS: ActionTable = {};
