"""Pure digest logic: schedules, choosing posts, rendering and splitting. No IO here."""
