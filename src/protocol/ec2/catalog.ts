// (being written)
import type { ActionTable } from "../actions.js";

export const CATALOG_ACTIONS: ActionTable = {};
