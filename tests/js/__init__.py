"""Node-side checks and the generator of samizdat.js's embedded tables."""
