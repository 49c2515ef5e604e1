// (being written)
import type { ActionTable } from "../actions.js";

export const ENDPOINT_ACTIONS: ActionTable = {};
