/* A database through SQLite's C API: a table of 2000 rows inserted in one transaction by a
 * prepared statement, an index, aggregates and a range query, an update and a delete, an
 * integrity check, VACUUM (a rewrite through a temporary file), then the database reopened.
 * Exercises files the way a real program does: a rollback journal created, synced and
 * deleted, record locks, positioned reads and writes, truncation.
 *
 *   sqlite-demo [DATABASE]      (default: demo.db in the working directory, created afresh) */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "sqlite3.h"

static int print_row(void *unused, int columns, char **values, char **names)
{
	(void)unused;
	for (int i = 0; i < columns; i++)
		printf("%s%s=%s", i ? " " : "", names[i], values[i] ? values[i] : "NULL");
	printf("\n");
	return 0;
}

static void run(sqlite3 *db, const char *sql)
{
	char *error = NULL;
	if (sqlite3_exec(db, sql, print_row, NULL, &error) != SQLITE_OK) {
		printf("error in \"%s\": %s\n", sql, error);
		exit(1);
	}
}

static sqlite3 *open_database(const char *path)
{
	sqlite3 *db;
	if (sqlite3_open(path, &db) != SQLITE_OK) {
		printf("cannot open %s: %s\n", path, sqlite3_errmsg(db));
		exit(1);
	}
	return db;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "demo.db";
	unlink(path);
	printf("SQLite %s\n", sqlite3_libversion());
	sqlite3 *db = open_database(path);
	run(db, "CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL)");
	run(db, "BEGIN");
	sqlite3_stmt *insert;
	sqlite3_prepare_v2(db, "INSERT INTO items(name, price) VALUES (?, ?)", -1, &insert, NULL);
	for (int i = 0; i < 2000; i++) {
		char name[32];
		snprintf(name, sizeof name, "item-%04d", (i * 7919) % 2000);
		sqlite3_bind_text(insert, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_double(insert, 2, i * 0.25);
		if (sqlite3_step(insert) != SQLITE_DONE) {
			printf("insert failed: %s\n", sqlite3_errmsg(db));
			return 1;
		}
		sqlite3_reset(insert);
	}
	sqlite3_finalize(insert);
	run(db, "COMMIT");
	run(db, "CREATE INDEX items_name ON items(name)");
	run(db, "SELECT count(*) AS rows, sum(price) AS total, min(name) AS first, max(name) AS last "
		"FROM items");
	run(db, "SELECT name, price FROM items WHERE name BETWEEN 'item-0100' AND 'item-0103' "
		"ORDER BY name");
	run(db, "UPDATE items SET price = price * 2 WHERE id % 3 = 0");
	run(db, "DELETE FROM items WHERE id > 1500");
	run(db, "SELECT count(*) AS rows, printf('%.2f', sum(price)) AS total FROM items");
	run(db, "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 10) "
		"SELECT group_concat(x * x, ',') AS squares FROM n");
	run(db, "PRAGMA integrity_check");
	run(db, "VACUUM");
	sqlite3_close(db);
	db = open_database(path);
	run(db, "SELECT count(*) AS after_reopening FROM items");
	sqlite3_close(db);
	printf("done\n");
	return 0;
}
