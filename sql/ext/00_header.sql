-- invoice extension install script, assembled from sql/ext/*.sql (one file per concern).

\echo Use "CREATE EXTENSION invoice" to load this file. \quit
