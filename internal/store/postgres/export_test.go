package postgres

// WaiterPIDForTest returns the process ID of the server backend the Waiter
// listens on, 0 while it has none: tests terminate it to cut the Waiter off.
func WaiterPIDForTest(w *Waiter) uint32 { return w.pid.Load() }

// SchemaForTest returns the schema the store's tables are in.
func SchemaForTest(db *DB) string { return db.schema }
