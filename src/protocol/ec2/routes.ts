// (being written)
import type { ActionTable } from "../actions.js";

export const ROUTE_ACTIONS: ActionTable = {};
