"""The five engines of the differential harness, one class each: load a CSV file into a table
with the catalogue's declared field types, run a query, give back column names and rows.

Every engine runs on this machine, in process or as a child: DuckDB, SQLite (standard
library), ClickHouse (`chdb`), Spark (`pyspark`, `local[2]`, Java 17) and PostgreSQL (the
system's server, a throw-away cluster started in a temporary folder).

Values come back as Python values: `decimal.Decimal` or `float` for numbers (whatever the
engine's type gives), `str`, `bool`, `datetime.date`, `datetime.datetime`, or `None`.
"""
import csv
import datetime
import decimal
import json
import os
import shutil
import subprocess
import tempfile


class Engine:
    """What the harness asks of an engine."""

    key = ""  # the `kpi sql --dialect` name
    # How far a value may be from `kpi eval`'s: (relative, absolute). See docs/engines.md.
    tolerance = (decimal.Decimal(0), decimal.Decimal(0))

    def load(self, table, path, fields):
        raise NotImplementedError

    def query(self, sql):
        """(column names, rows) of a query."""
        raise NotImplementedError

    def close(self):
        pass


class DuckDB(Engine):
    key = "duckdb"
    # `/` of DECIMALs gives DOUBLE in DuckDB: binary, 15-16 significant digits.
    tolerance = (decimal.Decimal("1e-12"), decimal.Decimal("1e-12"))
    TYPES = {"string": "VARCHAR", "number": "DECIMAL(38,6)", "bool": "BOOLEAN", "date": "DATE",
             "datetime": "TIMESTAMP", "duration": "DECIMAL(38,6)"}

    def __init__(self):
        import duckdb
        self.con = duckdb.connect()

    def load(self, table, path, fields):
        cols = ", ".join(f"'{f}': '{self.TYPES[t]}'" for f, t in fields.items())
        self.con.execute(f"CREATE TABLE \"{table}\" AS SELECT * FROM read_csv('{path}', header=true, "
                         f"columns={{{cols}}})")

    def query(self, sql):
        rows = self.con.execute(sql).fetchall()
        return [d[0] for d in self.con.description], rows


class SQLite(Engine):
    key = "sqlite"
    # No decimal type: numbers are 64-bit integers or REAL (binary doubles).
    tolerance = (decimal.Decimal("1e-12"), decimal.Decimal("1e-12"))
    TYPES = {"string": "TEXT", "number": "NUMERIC", "bool": "INTEGER", "date": "TEXT",
             "datetime": "TEXT", "duration": "NUMERIC"}

    def __init__(self):
        import sqlite3
        self.con = sqlite3.connect(":memory:")

    @staticmethod
    def cell(v, ty):
        """A CSV cell as SQLite stores the declared type: ISO text for times (`T` as a space),
        0/1 for booleans, integers or doubles for numbers."""
        if v == "":
            return None
        if ty == "bool":
            return {"true": 1, "false": 0}[v.lower()]
        if ty in ("number", "duration"):
            d = decimal.Decimal(v)
            return int(d) if d == d.to_integral_value() else float(d)
        if ty == "datetime":
            return v.replace("T", " ")
        return v

    def load(self, table, path, fields):
        cols = ", ".join(f'"{f}" {self.TYPES[t]}' for f, t in fields.items())
        self.con.execute(f'CREATE TABLE "{table}" ({cols})')
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            rows = [tuple(self.cell(r[name], ty) for name, ty in fields.items()) for r in reader]
        marks = ", ".join("?" for _ in fields)
        self.con.executemany(f'INSERT INTO "{table}" VALUES ({marks})', rows)

    def query(self, sql):
        cur = self.con.execute(sql)
        return [d[0] for d in cur.description], cur.fetchall()


class ClickHouse(Engine):
    key = "clickhouse"
    # Decimal256 with 40 decimals for divisions and averages: exact to far below eval's
    # 28 significant digits.
    tolerance = (decimal.Decimal("1e-24"), decimal.Decimal("1e-24"))
    TYPES = {"string": "String", "number": "Decimal(38, 6)", "bool": "Bool", "date": "Date32",
             "datetime": "DateTime64(6, 'UTC')", "duration": "Decimal(38, 6)"}

    def __init__(self):
        from chdb import session
        self.dir = tempfile.mkdtemp(prefix="kpi-chdb-")
        self.s = session.Session(self.dir)

    def load(self, table, path, fields):
        structure = ", ".join(f"`{f}` Nullable({self.TYPES[t]})" for f, t in fields.items())
        self.s.query(f"CREATE TABLE `{table}` ({structure}) ENGINE = Memory")
        quoted = structure.replace("'", "\\'")
        self.s.query(f"INSERT INTO `{table}` SELECT * FROM file('{path}', 'CSVWithNames', '{quoted}') "
                     "SETTINGS date_time_input_format = 'best_effort'")

    def query(self, sql):
        res = self.s.query(sql.rstrip().rstrip(";"), "JSONCompact")
        text = res.bytes().decode() if hasattr(res, "bytes") else str(res)
        if getattr(res, "has_error", lambda: False)():
            raise RuntimeError(res.error_message())
        doc = json.loads(text, parse_float=decimal.Decimal)
        names = [m["name"] for m in doc["meta"]]
        types = [m["type"] for m in doc["meta"]]
        rows = [tuple(self.value(v, t) for v, t in zip(r, types)) for r in doc["data"]]
        return names, rows

    @staticmethod
    def value(v, ty):
        if v is None:
            return None
        if isinstance(v, str) and ("Decimal" in ty or "Int" in ty or "Float" in ty):
            return decimal.Decimal(v) if v not in ("nan", "inf", "-inf") else float(v)
        return v

    def close(self):
        self.s.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Spark(Engine):
    key = "spark"
    # DECIMAL(38, s): divisions and averages are cast to DECIMAL(38, 18) first, so that a
    # quotient keeps 18 decimals over a count and 12 over a sum of DECIMAL(38, 6), the last
    # one rounded (docs/engines.md).
    tolerance = (decimal.Decimal("1e-15"), decimal.Decimal("1e-10"))

    def __init__(self, memory="1g"):
        from pyspark.sql import SparkSession
        self.spark = (SparkSession.builder.master("local[2]").appName("kpi-engines")
                      .config("spark.ui.enabled", "false")
                      .config("spark.ui.showConsoleProgress", "false")
                      .config("spark.sql.shuffle.partitions", "2")
                      .config("spark.driver.memory", memory)
                      .config("spark.sql.session.timeZone", "UTC")
                      .getOrCreate())
        self.spark.sparkContext.setLogLevel("ERROR")

    def load(self, table, path, fields):
        from pyspark.sql import types as T
        kinds = {"string": T.StringType(), "number": T.DecimalType(38, 6), "bool": T.BooleanType(),
                 "date": T.DateType(), "datetime": T.TimestampNTZType(), "duration": T.DecimalType(38, 6)}
        schema = T.StructType([T.StructField(f, kinds[t], True) for f, t in fields.items()])
        df = (self.spark.read.option("header", "true").option("mode", "FAILFAST")
              .option("timestampNTZFormat", "yyyy-MM-dd'T'HH:mm:ss[.SSSSSS]")
              .schema(schema).csv(path))
        df.cache().createOrReplaceTempView(table)
        df.count()

    def query(self, sql):
        df = self.spark.sql(sql.rstrip().rstrip(";"))
        rows = [tuple(r) for r in df.collect()]
        return df.columns, rows

    def close(self):
        self.spark.stop()


class Postgres(Engine):
    key = "postgres"
    # NUMERIC: exact; a division keeps at least 16 significant digits (and 20 decimals
    # when cast, see the dialect).
    tolerance = (decimal.Decimal("1e-15"), decimal.Decimal("1e-15"))
    TYPES = {"string": "TEXT", "number": "NUMERIC", "bool": "BOOLEAN", "date": "DATE",
             "datetime": "TIMESTAMP", "duration": "NUMERIC"}
    PORT = "54329"

    def __init__(self):
        self.bin = self.find_bin()
        self.dir = tempfile.mkdtemp(prefix="kpi-pg-")
        os.chmod(self.dir, 0o777)
        self.data = os.path.join(self.dir, "data")
        self.as_user = [] if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--"]
        self.run([os.path.join(self.bin, "initdb"), "-D", self.data, "--locale=C", "-E", "UTF8",
                  "--auth=trust", "-U", "kpi"])
        self.run([os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-l", os.path.join(self.dir, "log"), "-w",
                  "-o", f"-k {self.dir} -c listen_addresses='' -p {self.PORT} -c fsync=off", "start"])

    @staticmethod
    def find_bin():
        for base in ("/usr/lib/postgresql",):
            if os.path.isdir(base):
                versions = sorted(os.listdir(base), key=lambda v: int(v) if v.isdigit() else 0)
                for v in reversed(versions):
                    b = os.path.join(base, v, "bin")
                    if os.path.exists(os.path.join(b, "initdb")):
                        return b
        found = shutil.which("initdb")
        if found:
            return os.path.dirname(os.path.realpath(found))
        raise RuntimeError("PostgreSQL's initdb is not installed (apt-get install postgresql)")

    def run(self, cmd, **kw):
        return subprocess.run(self.as_user + cmd, check=True, capture_output=True, text=True, **kw)

    def psql(self, sql, csv_out=False):
        cmd = [os.path.join(self.bin, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.dir, "-p", self.PORT,
               "-U", "kpi", "-d", "postgres"]
        if csv_out:
            cmd += ["--csv", "-P", "null=\\N"]
        p = subprocess.run(cmd, input=sql, capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(p.stderr.strip())
        return p.stdout

    @property
    def url(self):
        return f"postgres://kpi@localhost:{self.PORT}/postgres?host={self.dir}"

    def load(self, table, path, fields):
        cols = ", ".join(f'"{f}" {self.TYPES[t]}' for f, t in fields.items())
        self.psql(f'CREATE TABLE "{table}" ({cols});\n'
                  f"\\copy \"{table}\" FROM '{path}' WITH (FORMAT csv, HEADER true)\n")

    def query(self, sql):
        out = self.psql(sql, csv_out=True)
        rows = list(csv.reader(out.splitlines()))
        if not rows:
            return [], []
        return rows[0], [tuple(None if v == "\\N" else self.value(v) for v in r) for r in rows[1:]]

    @staticmethod
    def value(v):
        """psql prints text: numbers as exact decimals, booleans as t/f."""
        if v in ("t", "f"):
            return v == "t"
        try:
            return decimal.Decimal(v)
        except decimal.InvalidOperation:
            return v

    def close(self):
        subprocess.run(self.as_user + [os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


ENGINES = {e.key: e for e in (DuckDB, SQLite, Postgres, ClickHouse, Spark)}
