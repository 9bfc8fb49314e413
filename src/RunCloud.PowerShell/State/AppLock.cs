using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;

namespace RunCloud.PowerShell.State
{
    /// <summary>
    /// Serialises runs on one web app across processes (and runspaces): the lock file &lt;stem&gt;.lock opened with
    /// FileShare.None. The OS releases it when the handle closes, including when the process dies (kill -9, power
    /// loss), so a crash never leaves the app locked. The file itself stays (deleting it would let two runs lock two
    /// different files of the same name). Who holds it is written, best effort, to &lt;stem&gt;.lock.owner for the
    /// message a waiting run shows. Neither file is opened through a link: a lock file that is a link is refused, and
    /// the owner file is created new (a stale one deleted first, a link in its place refused), so a link planted in the
    /// state folder never makes a run write, or show, another file.
    /// API: <see cref="JournalStore.Lock"/> (or <see cref="Acquire"/>) → use → Dispose. Waiting longer than the
    /// timeout throws <see cref="AppLockedException"/> (ErrorId RunCloudAppLocked).
    /// </summary>
    internal sealed class AppLock : IDisposable
    {
        /// <summary>How often a waiting run tries again.</summary>
        internal static TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

        private FileStream? _stream;
        private readonly List<AppLock> _held = new List<AppLock>();
        private bool _ownerWritten;

        private AppLock(FileStream stream, string path, AppStateKey key)
        {
            _stream = stream;
            Path = path;
            Key = key;
        }

        public string Path { get; }

        public AppStateKey Key { get; }

        /// <param name="folder">Existing folder holding the lock file.</param>
        /// <param name="path">The lock file.</param>
        /// <param name="key">The app.</param>
        /// <param name="timeout">Longest wait; zero tries once.</param>
        /// <param name="ct">Stops the wait.</param>
        /// <param name="holder">Who takes it, for the message others see (e.g. "Sync-RunCloudDomain").</param>
        /// <param name="delay">The wait between attempts (tests inject one that advances a fake clock).</param>
        /// <param name="elapsed">Time waited so far (tests inject a fake clock).</param>
        internal static AppLock Acquire(string folder, string path, AppStateKey key, TimeSpan timeout, CancellationToken ct, string? holder,
            Action<TimeSpan, CancellationToken>? delay = null, Func<TimeSpan>? elapsed = null)
        {
            if (elapsed == null)
            {
                Stopwatch watch = Stopwatch.StartNew();
                elapsed = () => watch.Elapsed;
            }

            delay ??= (span, token) => token.WaitHandle.WaitOne(span);
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                StateFolder.RefuseLink(path, "lock file");
                FileStream? stream = TryOpen(path);
                if (stream != null)
                {
                    var taken = new AppLock(stream, path, key);
                    try
                    {
                        taken._ownerWritten = WriteOwner(path, holder);
                    }
                    catch
                    {
                        taken.Dispose();
                        throw;
                    }

                    return taken;
                }

                TimeSpan waited = elapsed();
                if (waited >= timeout)
                {
                    string owner = ReadOwner(path);
                    throw new AppLockedException(
                        $"Another run is changing {key} ({owner}); waited {waited.TotalSeconds:0.#} s for it to finish. Nothing was changed. "
                        + "Run again later, or pass a longer -LockTimeout. If no other run exists, the lock is held by a process that is still alive: "
                        + $"the lock file is {path}.",
                        path);
                }

                TimeSpan left = timeout - waited;
                delay(left < PollInterval ? left : PollInterval, ct);
            }
        }

        /// <summary>Keeps <paramref name="other"/> (another lock file of the same app) until this lock is released.</summary>
        internal void Hold(AppLock other) => _held.Add(other);

        public void Dispose()
        {
            foreach (AppLock other in _held) other.Dispose();
            _held.Clear();
            FileStream? stream = Interlocked.Exchange(ref _stream, null);
            if (stream == null) return;
            if (_ownerWritten)
            {
                try { File.Delete(Path + ".owner"); }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }

            stream.Dispose();
        }

        private static FileStream? TryOpen(string path)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (DirectoryNotFoundException ex)
            {
                throw new StateException($"The state folder of the lock {path} is missing: {ex.Message}", ex, path);
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new StateException($"Cannot open the lock file {path}: {ex.Message} Make the state folder writable for this account.", ex, path);
            }
            catch (IOException)
            {
                return null; // held by someone else (sharing violation / EWOULDBLOCK)
            }
        }

        /// <summary>
        /// Records who holds the lock in &lt;lock&gt;.owner, created new: a stale file a crashed holder left is deleted first
        /// (only the lock's holder writes it), and a link in its place is refused rather than written through.
        /// </summary>
        /// <returns>True when this run wrote it (and so deletes it on release).</returns>
        private static bool WriteOwner(string path, string? holder)
        {
            string owner = path + ".owner";
            StateFolder.RefuseLink(owner, "lock owner file");
            try
            {
                if (File.Exists(owner)) File.Delete(owner);
                string text = string.Format(CultureInfo.InvariantCulture, "{0} (process {1} on {2}, since {3:u})",
                    holder ?? "a RunCloud.PowerShell run", Process.GetCurrentProcess().Id, Environment.MachineName, DateTime.UtcNow);
                byte[] bytes = new UTF8Encoding(false).GetBytes(text);
                // CreateNew is O_CREAT|O_EXCL: never an existing file, never through a link planted since the check above.
                using (var stream = new FileStream(owner, FileMode.CreateNew, FileAccess.Write, FileShare.Read))
                {
                    stream.Write(bytes, 0, bytes.Length);
                }

                return true;
            }
            catch (IOException) { return false; }
            catch (UnauthorizedAccessException) { return false; }
        }

        private static string ReadOwner(string path)
        {
            try
            {
                // A link is never read: its target could be any file this account can read, and the text is shown.
                if (IsLink(path + ".owner")) return "holder unknown: its owner file is a link";
                string text = File.ReadAllText(path + ".owner", Encoding.UTF8).Trim();
                return text.Length == 0 ? "holder unknown" : "held by " + (text.Length > 200 ? text.Substring(0, 200) : text);
            }
            catch (IOException) { return "holder unknown"; }
            catch (UnauthorizedAccessException) { return "holder unknown"; }
        }

        private static bool IsLink(string path)
        {
            try
            {
                StateFolder.RefuseLink(path, "lock owner file");
                return false;
            }
            catch (StateException)
            {
                return true;
            }
        }
    }
}
