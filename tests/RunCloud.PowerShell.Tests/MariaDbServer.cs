using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using MySqlConnector;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// A real MariaDB (Debian's mariadb-server) for the tests: its own data folder under the temp folder, a free
    /// loopback port and a socket of its own, and a user with a password (so the password path is the real one).
    /// Started once per test run (<see cref="MariaDbFixture"/>), stopped by Dispose. A machine without mariadbd FAILS
    /// the tests that need it, with what to install: they never skip.
    /// </summary>
    public sealed class MariaDbServer : IDisposable
    {
        public const string User = "um_reader";
        public const string Password = "Pw-of-the-um-reader-7f3a";

        private readonly Process _process;

        private MariaDbServer(string folder, int port, Process process)
        {
            Folder = folder;
            Port = port;
            _process = process;
        }

        public string Folder { get; }
        public int Port { get; }
        public string Socket => Path.Combine(Folder, "mysqld.sock");

        public static MariaDbServer Start()
        {
            string server = Find("mariadbd", "/usr/sbin/mariadbd", "/usr/sbin/mysqld")
                ?? throw new InvalidOperationException("mariadbd was not found: install Debian's mariadb-server (apt-get install mariadb-server); the UM database tests need a real MariaDB.");
            string install = Find("mariadb-install-db", "/usr/bin/mariadb-install-db", "/usr/bin/mysql_install_db")
                ?? throw new InvalidOperationException("mariadb-install-db was not found: install Debian's mariadb-server.");
            string folder = Path.Combine(Path.GetTempPath(), "rc-mariadb-" + Guid.NewGuid().ToString("N").Substring(0, 12));
            Directory.CreateDirectory(folder);
            string data = Path.Combine(folder, "data");
            bool root = Environment.UserName == "root";
            Run(install, $"--no-defaults --datadir={data} --auth-root-authentication-method=normal --skip-test-db" + (root ? " --user=root" : string.Empty), folder);

            int port = FreePort();
            var info = new ProcessStartInfo(server,
                $"--no-defaults --datadir={data} --port={port} --bind-address=127.0.0.1 --socket={Path.Combine(folder, "mysqld.sock")} " +
                $"--pid-file={Path.Combine(folder, "mysqld.pid")} --log-error={Path.Combine(folder, "error.log")} --skip-log-bin " +
                "--innodb-buffer-pool-size=32M --innodb-log-file-size=16M --max-connections=50 --skip-name-resolve" + (root ? " --user=root" : string.Empty))
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                CreateNoWindow = true,
            };
            Process process = Process.Start(info)!;
            process.OutputDataReceived += (_, __) => { };
            process.ErrorDataReceived += (_, __) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var result = new MariaDbServer(folder, port, process);
            try
            {
                result.WaitUntilReady();
                result.ExecuteAsRoot(
                    $"CREATE USER '{User}'@'127.0.0.1' IDENTIFIED BY '{Password}'; CREATE USER '{User}'@'localhost' IDENTIFIED BY '{Password}'; " +
                    $"GRANT ALL PRIVILEGES ON *.* TO '{User}'@'127.0.0.1'; GRANT ALL PRIVILEGES ON *.* TO '{User}'@'localhost'; FLUSH PRIVILEGES;");
                return result;
            }
            catch
            {
                result.Dispose();
                throw;
            }
        }

        /// <summary>A connection string as root over the socket (for fixtures and for the lock tests).</summary>
        public string RootConnectionString(string? database = null) => new MySqlConnectionStringBuilder
        {
            Server = Socket,
            ConnectionProtocol = MySqlConnectionProtocol.UnixSocket,
            UserID = "root",
            Database = database ?? string.Empty,
            Pooling = false,
            AllowUserVariables = true,
            CharacterSet = "utf8mb4",
        }.ConnectionString;

        public void ExecuteAsRoot(string sql, string? database = null)
        {
            using var connection = new MySqlConnection(RootConnectionString(database));
            connection.Open();
            using var cmd = new MySqlCommand(sql, connection) { CommandTimeout = 120 };
            cmd.ExecuteNonQuery();
        }

        /// <summary>A fresh database loaded from tests/fixtures/ultimate-multisite/networks.sql.</summary>
        public string CreateNetworksDatabase(string name)
        {
            ExecuteAsRoot($"DROP DATABASE IF EXISTS `{name}`; CREATE DATABASE `{name}` CHARACTER SET utf8mb4;");
            ExecuteAsRoot(File.ReadAllText(FixturePath("networks.sql")), name);
            return name;
        }

        public static string FixturePath(string file)
        {
            for (DirectoryInfo? dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "tests", "fixtures", "ultimate-multisite", file);
                if (File.Exists(candidate)) return candidate;
            }

            throw new FileNotFoundException("tests/fixtures/ultimate-multisite/" + file + " not found above " + AppContext.BaseDirectory);
        }

        private void WaitUntilReady()
        {
            var until = DateTime.UtcNow.AddSeconds(60);
            Exception? last = null;
            while (DateTime.UtcNow < until)
            {
                if (_process.HasExited) throw new InvalidOperationException("mariadbd exited at start: " + ErrorLogTail());
                if (File.Exists(Socket))
                {
                    try
                    {
                        using var connection = new MySqlConnection(RootConnectionString());
                        connection.Open();
                        return;
                    }
                    catch (MySqlException ex)
                    {
                        last = ex;
                    }
                }

                Thread.Sleep(100);
            }

            throw new InvalidOperationException("mariadbd did not accept connections within 60 s: " + (last?.Message ?? string.Empty) + " " + ErrorLogTail());
        }

        private string ErrorLogTail()
        {
            string log = Path.Combine(Folder, "error.log");
            return File.Exists(log) ? string.Join(" | ", Enumerable.Reverse(Enumerable.Reverse(File.ReadAllLines(log)).Take(5))) : "(no error log)";
        }

        private static string? Find(string name, params string[] candidates)
        {
            foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
            {
                if (dir.Length > 0 && File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
            }

            return candidates.FirstOrDefault(File.Exists);
        }

        private static void Run(string file, string arguments, string folder)
        {
            var info = new ProcessStartInfo(file, arguments) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
            using Process p = Process.Start(info)!;
            string stdout = p.StandardOutput.ReadToEnd();
            string stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {arguments} failed ({p.ExitCode}): {stderr} {stdout}");
        }

        private static int FreePort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill();
                    _process.WaitForExit(10000);
                }
            }
            catch (InvalidOperationException)
            {
                // exited meanwhile
            }

            _process.Dispose();
            try
            {
                Directory.Delete(Folder, recursive: true);
            }
            catch (IOException)
            {
                // a file still held: the temp folder is cleaned by the OS
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
