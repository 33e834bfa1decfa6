"""A local Spark for the `spark` target: the Thrift (HiveServer2) server that
ships inside the pyspark wheel, started in the background and stopped again.

`partner-payouts spark-up` starts it (`make spark-up`): tables are Parquet
under the warehouse folder (PAYOUTS_SPARK_WAREHOUSE, default
warehouse/spark, in Spark's own `<schema>.db/<table>/` layout), the table
catalog is an embedded Derby database beside them, and the server listens on
127.0.0.1:PAYOUTS_SPARK_PORT (default 10000). `partner-payouts spark-down`
stops it. A real cluster needs neither: point the profile at it (README,
"Run it on Spark").
"""

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

THRIFT_SERVER_CLASS = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"


class SparkError(Exception):
    """A one-line message for the user."""


@dataclass
class LocalSpark:
    warehouse: Path
    port: int
    cores: int = 2
    memory: str = "3g"
    # "hive": the table catalog is a Derby database in the warehouse folder
    # and outlives the server (`make spark-up`). "in-memory": it lives and
    # dies with the server, for throw-away servers (the tests'): no Derby
    # lookup per statement, about 15 % faster on small builds.
    catalog: str = "hive"

    @property
    def pid_file(self) -> Path:
        return self.warehouse / "thrift-server.pid"

    @property
    def log_file(self) -> Path:
        return self.warehouse / "thrift-server.log"

    def running_pid(self):
        try:
            pid = int(self.pid_file.read_text().strip())
            os.kill(pid, 0)
            return pid
        except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
            return None

    def listening(self) -> bool:
        with socket.socket() as probe:
            probe.settimeout(0.5)
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def command(self) -> list:
        import pyspark

        spark_home = Path(pyspark.__file__).parent
        warehouse = self.warehouse.resolve()
        conf = {
            "spark.sql.warehouse.dir": str(warehouse),
            "spark.sql.catalogImplementation": self.catalog,
            # The Thrift server's own sessions use this Derby database
            # whatever the catalog (without it, each session's close waits
            # on a failing default).
            "spark.hadoop.javax.jdo.option.ConnectionURL":
                f"jdbc:derby:;databaseName={warehouse / 'metastore_db'};create=true",
            "spark.hadoop.hive.server2.thrift.port": str(self.port),
            "spark.hadoop.hive.server2.thrift.bind.host": "127.0.0.1",
            "spark.sql.session.timeZone": "UTC",
            "spark.sql.decimalOperations.allowPrecisionLoss": "false",
            # One machine: few shuffle partitions (Spark's default of 200
            # is for clusters) and no UI.
            "spark.sql.shuffle.partitions": str(self.cores * 2),
            "spark.ui.enabled": "false",
            "spark.driver.memory": self.memory,
        }
        command = [str(spark_home / "bin" / "spark-submit"), "--class", THRIFT_SERVER_CLASS,
                   "--master", f"local[{self.cores}]", "--name", "partner-payouts-thrift",
                   "--driver-java-options", f"-Dderby.system.home={warehouse}"]
        for key, value in conf.items():
            command += ["--conf", f"{key}={value}"]
        return command + ["spark-internal"]

    def up(self, timeout: float = 180) -> str:
        if self.running_pid() and self.listening():
            return f"Spark already running on 127.0.0.1:{self.port} (warehouse {self.warehouse})"
        if self.listening():
            raise SparkError(f"Port {self.port} is taken by another program: set "
                             "PAYOUTS_SPARK_PORT to a free port.")
        self.warehouse.mkdir(parents=True, exist_ok=True)
        import pyspark

        env = {**os.environ, "SPARK_HOME": str(Path(pyspark.__file__).parent)}
        with open(self.log_file, "ab") as log:
            process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, env=env,
                                       start_new_session=True)
        self.pid_file.write_text(str(process.pid))
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if process.poll() is not None:
                raise SparkError(f"Spark stopped while starting (exit {process.returncode}); "
                                 f"see {self.log_file}. Is Java 17 installed (java -version)?")
            if self.listening():
                return (f"Spark Thrift server on 127.0.0.1:{self.port} "
                        f"(warehouse {self.warehouse}), up in {time.monotonic() - started:.0f} s")
            time.sleep(0.5)
        self.down()
        raise SparkError(f"Spark did not answer on port {self.port} within {timeout:.0f} s; "
                         f"see {self.log_file}.")

    def down(self, grace_seconds: float = 30) -> str:
        """SIGTERM, and SIGKILL after `grace_seconds` (a throw-away
        server, the tests', needs no grace)."""
        pid = self.running_pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return "Spark is not running"
        os.killpg(pid, signal.SIGTERM)
        for _ in range(int(grace_seconds * 2)):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.5)
        else:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass  # it stopped meanwhile
        self.pid_file.unlink(missing_ok=True)
        return f"Spark stopped (warehouse kept in {self.warehouse})"


def from_environment() -> LocalSpark:
    return LocalSpark(
        warehouse=Path(os.environ.get("PAYOUTS_SPARK_WAREHOUSE", "warehouse/spark")),
        port=int(os.environ.get("PAYOUTS_SPARK_PORT", "10000")))


def main(action: str) -> int:
    spark = from_environment()
    try:
        print(spark.up() if action == "up" else spark.down())
    except SparkError as error:
        print(error, file=sys.stderr)
        return 2
    return 0
