// (being written)
import type { ActionTable } from "../actions.js";

export const NETWORK_ACL_ACTIONS: ActionTable = {};
