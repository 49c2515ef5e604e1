// (being written)
import type { ActionTable } from "../actions.js";

export const PEERING_ACTIONS: ActionTable = {};
