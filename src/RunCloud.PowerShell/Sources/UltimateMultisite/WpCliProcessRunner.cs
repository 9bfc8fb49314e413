using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>
    /// Runs WP-CLI as a child process: found on PATH (wp, or wp.bat/wp.cmd/wp.exe on Windows), or a given path (a .phar
    /// runs through php). Arguments are quoted for the child's command line one by one (no shell); output is bounded
    /// (<see cref="MaxOutputBytes"/>); a run past the timeout, or a stopped pipeline, kills the child's process tree.
    /// </summary>
    internal sealed class WpCliProcessRunner : IWpCliRunner
    {
        public const int MaxOutputBytes = 64 * 1024 * 1024;

        private readonly string _file;
        private readonly string[] _prefix;
        private readonly TimeSpan _timeout;

        public WpCliProcessRunner(string? command, TimeSpan timeout)
        {
            _timeout = timeout;
            string resolved = Resolve(string.IsNullOrWhiteSpace(command) ? "wp" : command!.Trim());
            Command = resolved;
            if (resolved.EndsWith(".phar", StringComparison.OrdinalIgnoreCase))
            {
                _file = Resolve("php");
                _prefix = new[] { resolved };
            }
            else if (IsWindows && (resolved.EndsWith(".bat", StringComparison.OrdinalIgnoreCase) || resolved.EndsWith(".cmd", StringComparison.OrdinalIgnoreCase)))
            {
                _file = Environment.GetEnvironmentVariable("ComSpec") ?? "cmd.exe";
                _prefix = new[] { "/d", "/s", "/c", resolved };
            }
            else
            {
                _file = resolved;
                _prefix = Array.Empty<string>();
            }
        }

        public string Command { get; }

        private static bool IsWindows => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        public async Task<WpCliResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
        {
            var info = new ProcessStartInfo(_file, string.Join(" ", _prefix.Concat(arguments).Select(Quote)))
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                CreateNoWindow = true,
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
            };
            using var process = new Process { StartInfo = info };
            try
            {
                process.Start();
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception || ex is InvalidOperationException || ex is FileNotFoundException)
            {
                throw new UmReadException(UmReadFailure.WpCli, Command, $"Cannot start WP-CLI ({Command}): {ex.Message} Install WP-CLI (https://wp-cli.org) or pass its path with -WpCliPath.", ex);
            }

            process.StandardInput.Close();
            Task<string> stdout = ReadBoundedAsync(process.StandardOutput);
            Task<string> stderr = ReadBoundedAsync(process.StandardError);
            using var timeout = new CancellationTokenSource(_timeout);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            var exited = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            process.EnableRaisingEvents = true;
            process.Exited += (_, __) => exited.TrySetResult(true);
            if (process.HasExited) exited.TrySetResult(true);
            using (linked.Token.Register(() => exited.TrySetCanceled()))
            {
                try
                {
                    await exited.Task.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    Kill(process);
                    cancellationToken.ThrowIfCancellationRequested();
                    throw new UmReadException(UmReadFailure.Timeout, Command,
                        $"WP-CLI ({Command} {Show(arguments)}) ran longer than {_timeout.TotalSeconds:0} s and was stopped. Nothing was planned from a partial read.");
                }
            }

            process.WaitForExit();
            return new WpCliResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        }

        /// <summary>The arguments as shown in messages: the eval-file path, not its contents.</summary>
        internal static string Show(IReadOnlyList<string> arguments) => string.Join(" ", arguments.Take(4));

        private async Task<string> ReadBoundedAsync(StreamReader reader)
        {
            var sb = new StringBuilder();
            var buffer = new char[16384];
            int read;
            while ((read = await reader.ReadAsync(buffer, 0, buffer.Length).ConfigureAwait(false)) > 0)
            {
                if (sb.Length + read > MaxOutputBytes)
                {
                    throw new UmReadException(UmReadFailure.WpCli, Command, $"WP-CLI ({Command}) printed more than {MaxOutputBytes / (1024 * 1024)} MB; refusing to read more.");
                }

                sb.Append(buffer, 0, read);
            }

            return sb.ToString();
        }

        private static void Kill(Process process)
        {
            try
            {
                if (!process.HasExited) process.Kill();
            }
            catch (InvalidOperationException)
            {
                // exited meanwhile
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // exiting meanwhile
            }
        }

        /// <summary>A command on PATH (with PATHEXT on Windows), or the path itself when it has a folder part.</summary>
        internal static string Resolve(string command)
        {
            if (command.IndexOf(Path.DirectorySeparatorChar) >= 0 || command.IndexOf(Path.AltDirectorySeparatorChar) >= 0)
            {
                string full = Path.GetFullPath(command);
                if (!File.Exists(full)) throw new UmReadException(UmReadFailure.WpCli, command, $"WP-CLI was not found at '{full}'. Pass the path of the wp command (or wp-cli.phar).");
                return full;
            }

            string[] extensions = IsWindows
                ? new[] { string.Empty }.Concat((Environment.GetEnvironmentVariable("PATHEXT") ?? ".COM;.EXE;.BAT;.CMD").Split(';').Where(e => e.Length > 0)).ToArray()
                : new[] { string.Empty };
            foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
            {
                if (folder.Length == 0) continue;
                foreach (string ext in extensions)
                {
                    string candidate;
                    try
                    {
                        candidate = Path.Combine(folder.Trim('"'), command + ext);
                    }
                    catch (ArgumentException)
                    {
                        continue;
                    }

                    if (File.Exists(candidate) && (IsWindows ? ext.Length > 0 : true)) return candidate;
                }
            }

            throw new UmReadException(UmReadFailure.WpCli, command,
                $"'{command}' was not found on PATH. Install WP-CLI (https://wp-cli.org), pass its path with -WpCliPath, or read the database directly (the default, -Via Database).");
        }

        /// <summary>One argument quoted for CommandLineToArgvW (which .NET also follows on Unix).</summary>
        internal static string Quote(string arg)
        {
            if (arg.Length > 0 && arg.IndexOfAny(new[] { ' ', '\t', '\n', '\v', '"' }) < 0) return arg;
            var sb = new StringBuilder("\"");
            int backslashes = 0;
            foreach (char c in arg)
            {
                if (c == '\\')
                {
                    backslashes++;
                    continue;
                }

                if (c == '"')
                {
                    sb.Append('\\', backslashes * 2 + 1);
                    sb.Append('"');
                }
                else
                {
                    sb.Append('\\', backslashes);
                    sb.Append(c);
                }

                backslashes = 0;
            }

            sb.Append('\\', backslashes * 2);
            sb.Append('"');
            return sb.ToString();
        }
    }
}
