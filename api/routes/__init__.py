"""One router per face: `sparql` (the protocol endpoint), `staff` (/api/… JSON, CSV, Excel), `resources` (IRIs
dereferenced), `pages` (HTML)."""
