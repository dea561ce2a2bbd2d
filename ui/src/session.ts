// The app's one store, over the real Rust commands. Screens import it from here; tests
// build their own `Store` over a fake `Api`.
import { api } from "./api";
import { Store } from "./store";

/** The session store the app and its screens share. */
export const store = new Store(api);
