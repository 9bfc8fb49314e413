using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json;

namespace RunCloud.PowerShell.State
{
    /// <summary>
    /// Reads and writes <see cref="AppJournal"/>s and takes <see cref="AppLock"/>s, one of each per
    /// <see cref="AppStateKey"/>, in one folder (normally <see cref="StateFolder.Resolve()"/>):
    ///   &lt;folder&gt;/&lt;key.FileStem&gt;.json   the journal
    ///   &lt;folder&gt;/&lt;key.FileStem&gt;.lock   the cross-process lock (see AppLock)
    /// API: <see cref="Load"/> (null when nothing is pending), <see cref="Save"/> (atomic: write a temporary file in the
    /// same folder, flush it to disk, then rename it over the journal, so a crash leaves the old or the new file, never a
    /// torn one), <see cref="Delete"/>, <see cref="Lock"/>. Callers hold the app's lock while they read-modify-write.
    /// Failures are <see cref="StateException"/>s that name the file and the fix.
    ///
    /// The first state format named an app's files by a fingerprint of the credential
    /// (&lt;16 hex digits&gt;-s&lt;server&gt;-w&lt;web app&gt;). Such state is never forgotten: <see cref="Lock"/> also takes
    /// every first-format lock of the app that exists (the current credential's, and that of each first-format journal
    /// of the app, whichever credential wrote it), so a run of an older module still holding one is waited for; then,
    /// holding them, it merges the app's first-format journals into the app's journal (written atomically) and only
    /// then deletes them, so a crash at any point leaves the owed work on disk. <see cref="Load"/> without the lock
    /// shows the same merged view without writing. A first-format journal is the app's when its name holds the current
    /// credential's fingerprint, or its recorded API root has the key's API host.
    ///
    /// No file here is read or written through a link (<see cref="StateFolder.RefuseLink"/>), the temporary file is
    /// created new (O_CREAT|O_EXCL: never an existing file or link), and the folder is checked before every use
    /// (<see cref="StateFolder.Ensure"/>).
    /// </summary>
    internal sealed class JournalStore
    {
        public const string CorruptErrorId = "RunCloudJournalUnreadable";

        /// <param name="folder">The state folder (absolute).</param>
        /// <param name="stateHome">The conventional state home above it, checked like the folder; null when the folder was given (RUNCLOUD_STATE_PATH).</param>
        public JournalStore(string folder, string? stateHome = null)
        {
            if (string.IsNullOrWhiteSpace(folder) || !Path.IsPathRooted(folder))
            {
                throw new ArgumentException("The state folder must be an absolute path.", nameof(folder));
            }

            Folder = folder;
            StateHome = stateHome;
        }

        /// <summary>The store in the user's state folder (RUNCLOUD_STATE_PATH, LOCALAPPDATA, XDG_STATE_HOME or ~/.local/state).</summary>
        public static JournalStore Default()
        {
            string folder = StateFolder.Resolve(out string? stateHome);
            return new JournalStore(folder, stateHome);
        }

        public string Folder { get; }

        public string? StateHome { get; }

        /// <summary>The temporary file a save writes before renaming it over the journal (a fresh random name; tests choose one).</summary>
        internal Func<string, string> TempPathFor { get; set; } = path => path + "." + Guid.NewGuid().ToString("N") + ".tmp";

        public string JournalPath(AppStateKey key) => Path.Combine(Folder, key.FileStem + ".json");

        public string LockPath(AppStateKey key) => Path.Combine(Folder, key.FileStem + ".lock");

        /// <summary>The app's journal (merged with the app's first-format journals, see the class summary), or null when none exists (nothing pending).</summary>
        public AppJournal? Load(AppStateKey key)
        {
            if (!StateFolder.CheckExisting(Folder, StateHome)) return null;
            AppJournal? own = ReadOwn(key);
            List<(string Path, AppJournal Journal)> legacy = FindLegacy(key);
            return legacy.Count == 0 ? own : Merge(key, own, legacy);
        }

        private static int s_firstWritePrepared;

        /// <summary>
        /// Prepares this process's first journal write on a thread-pool thread, once per process: the writer's code
        /// (JsonFields, Newtonsoft's text writer) is compiled on first use. A sync
        /// calls it while its first reads are in flight, so that this happens while it waits for RunCloud instead of
        /// between its plan and its first change. Nothing is written; a failure here is not the run's (the real write
        /// reports its own).
        /// </summary>
        public static void PrepareFirstWrite()
        {
            if (Interlocked.Exchange(ref s_firstWritePrepared, 1) != 0) return;
            Task.Run(() =>
            {
                try
                {
                    var sample = new AppJournal { ApiHost = "api.example", ServerId = 1, WebAppId = 2, WrittenBy = "warm-up", PendingAdds = { "a.example.com" }, SslReason = "warm-up" };
                    sample.PendingRemovals.Add(new JournalDomain { Id = 1, Name = "b.example.com" });
                    sample.SslDomains.Add(new JournalDomain { Id = 2, Name = "c.example.com" });
                    sample.SslRedeployPending = true;
                    _ = new UTF8Encoding(false).GetBytes(JsonFields.Write(sample.ToJson()));
                }
                catch (Exception)
                {
                    // only a warm-up
                }
            });
        }

        /// <summary>Writes the journal atomically (or deletes it when <see cref="AppJournal.IsEmpty"/>).</summary>
        public void Save(AppStateKey key, AppJournal journal, DateTime nowUtc)
        {
            if (journal.IsEmpty)
            {
                Delete(key);
                return;
            }

            journal.Version = AppJournal.CurrentVersion;
            journal.ApiHost = key.ApiHost;
            journal.Account = null;
            journal.ServerId = key.ServerId;
            journal.WebAppId = key.WebAppId;
            journal.UpdatedAt = nowUtc;
            if (journal.CreatedAt == default) journal.CreatedAt = nowUtc;
            string path = JournalPath(key);
            StateFolder.Ensure(Folder, StateHome);
            StateFolder.RefuseLink(path, "journal");
            try
            {
                StateFolder.ReplaceAtomically(path, TempPathFor(path), new UTF8Encoding(false).GetBytes(JsonFields.Write(journal.ToJson())));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new StateException(
                    $"Cannot write the journal {path}: {ex.Message} Nothing more was changed. Make the state folder writable, or set {StateFolder.OverrideVariable} to one that is.",
                    ex, path);
            }
        }

        /// <summary>The app's applied set: &lt;stem&gt;.applied, the lists the journal's sync record vouches for by their hash.</summary>
        public string AppliedPath(AppStateKey key) => Path.Combine(Folder, key.FileStem + ".applied");

        /// <summary>
        /// Writes the app's applied set atomically (a new temporary file, flushed, renamed over the old one). Written before
        /// the journal that names its hash, so a crash between the two leaves a journal that does not vouch for it.
        /// </summary>
        public void SaveApplied(AppStateKey key, string text)
        {
            string path = AppliedPath(key);
            StateFolder.Ensure(Folder, StateHome);
            StateFolder.RefuseLink(path, "applied set");
            try
            {
                StateFolder.ReplaceAtomically(path, TempPathFor(path), new UTF8Encoding(false).GetBytes(text));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new StateException($"Cannot write the applied set {path}: {ex.Message} Make the state folder writable, or set {StateFolder.OverrideVariable} to one that is.", ex, path);
            }
        }

        /// <summary>The app's applied set as written, or null when there is none (or it cannot be read: the sync then lists in full).</summary>
        public string? LoadApplied(AppStateKey key)
        {
            string path = AppliedPath(key);
            try
            {
                if (!StateFolder.CheckExisting(Folder, StateHome)) return null;
                StateFolder.RefuseLink(path, "applied set");
                return File.Exists(path) ? File.ReadAllText(path, Encoding.UTF8) : null;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                return null;
            }
        }

        /// <summary>The marker of changes made to the app outside the sync: &lt;stem&gt;.changed (a UTC time).</summary>
        public string ChangedPath(AppStateKey key) => Path.Combine(Folder, key.FileStem + ".changed");

        /// <summary>
        /// Records that a command changed the app's domains outside the sync (Add-, Remove-, Set-RunCloudDomain,
        /// Invoke-RunCloudRequest), so the next sync does not trust what it recorded before: it lists the app in full.
        /// Needs no lock (the latest time wins); written atomically.
        /// </summary>
        public void MarkChangedOutside(AppStateKey key, DateTime nowUtc)
        {
            string path = ChangedPath(key);
            StateFolder.Ensure(Folder, StateHome);
            StateFolder.RefuseLink(path, "change marker");
            try
            {
                StateFolder.ReplaceAtomically(path, TempPathFor(path), new UTF8Encoding(false).GetBytes(nowUtc.ToUniversalTime().ToString("o", System.Globalization.CultureInfo.InvariantCulture)));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new StateException($"Cannot write the change marker {path}: {ex.Message} Make the state folder writable, or set {StateFolder.OverrideVariable} to one that is.", ex, path);
            }
        }

        /// <summary>When a command last changed the app outside the sync (null: never, or the marker cannot be read).</summary>
        public DateTime? ChangedOutsideAt(AppStateKey key)
        {
            string path = ChangedPath(key);
            try
            {
                if (!StateFolder.CheckExisting(Folder, StateHome)) return null;
                StateFolder.RefuseLink(path, "change marker");
                if (!File.Exists(path)) return null;
                string text = File.ReadAllText(path, Encoding.UTF8).Trim();
                // An unreadable marker still says the app was changed: the safe reading (list in full).
                return DateTime.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out DateTime at)
                    ? at : DateTime.MaxValue;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                return DateTime.MaxValue;
            }
        }

        /// <summary>Removes the journal: nothing is owed any more.</summary>
        public void Delete(AppStateKey key) => DeleteFile(JournalPath(key));

        /// <summary>
        /// Takes the app's cross-process lock, waiting up to <paramref name="timeout"/> in all, with the app's
        /// first-format locks that exist, then takes the app's first-format journals over (see the class summary).
        /// </summary>
        public AppLock Lock(AppStateKey key, TimeSpan timeout, CancellationToken ct, string? holder = null)
        {
            Stopwatch watch = Stopwatch.StartNew();
            string folder = StateFolder.Ensure(Folder, StateHome);
            AppLock appLock = AppLock.Acquire(folder, LockPath(key), key, timeout, ct, holder);
            try
            {
                var stems = new SortedSet<string>(StringComparer.Ordinal);
                if (key.LegacyFileStem != null) stems.Add(key.LegacyFileStem);
                foreach (var (path, _) in FindLegacy(key)) stems.Add(Path.GetFileNameWithoutExtension(path));
                foreach (string stem in stems)
                {
                    string legacyLock = Path.Combine(folder, stem + ".lock");
                    if (!File.Exists(legacyLock) && !UnixLink(legacyLock)) continue;
                    TimeSpan left = timeout - watch.Elapsed;
                    appLock.Hold(AppLock.Acquire(folder, legacyLock, key, left < TimeSpan.Zero ? TimeSpan.Zero : left, ct, holder));
                }

                TakeOver(key);
                return appLock;
            }
            catch
            {
                appLock.Dispose();
                throw;
            }
        }

        /// <summary>Under the app's locks: the first-format journals merged into the app's journal, written, then deleted.</summary>
        private void TakeOver(AppStateKey key)
        {
            List<(string Path, AppJournal Journal)> legacy = FindLegacy(key);
            if (legacy.Count == 0) return;
            AppJournal merged = Merge(key, ReadOwn(key), legacy);
            Save(key, merged, DateTime.UtcNow);
            foreach (var (path, _) in legacy) DeleteFile(path);
        }

        private static AppJournal Merge(AppStateKey key, AppJournal? own, List<(string Path, AppJournal Journal)> legacy)
        {
            AppJournal merged = own ?? AppJournal.For(key, legacy[0].Journal.BaseUri, default);
            foreach (var (_, journal) in legacy) merged.MergeFrom(journal);
            return merged;
        }

        /// <summary>The journal under the key's own name, checked to describe the key's app.</summary>
        private AppJournal? ReadOwn(AppStateKey key)
        {
            string path = JournalPath(key);
            AppJournal? journal = Read(path, key);
            if (journal == null) return null;
            if (journal.Version != AppJournal.CurrentVersion || journal.ServerId != key.ServerId || journal.WebAppId != key.WebAppId
                || !string.Equals(journal.ApiHost, key.ApiHost, StringComparison.Ordinal))
            {
                throw new StateException(
                    $"The journal {path} does not describe {key} (version {journal.Version}, API host {journal.ApiHost ?? "none"}, server {journal.ServerId}, web app {journal.WebAppId}). "
                    + "It was copied or edited; nothing was changed. Delete it after checking the app's certificate.", null, path, CorruptErrorId);
            }

            return journal;
        }

        /// <summary>The app's first-format journals (see the class summary), oldest name first.</summary>
        private List<(string Path, AppJournal Journal)> FindLegacy(AppStateKey key)
        {
            var found = new List<(string Path, AppJournal Journal)>();
            string suffix = AppStateKey.LegacyStem("x", key.ServerId, key.WebAppId).Substring(1) + ".json";
            IEnumerable<string> files;
            try
            {
                if (!Directory.Exists(Folder)) return found;
                files = Directory.EnumerateFiles(Folder, "*" + suffix).ToList();
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new StateException($"Cannot list the state folder {Folder}: {ex.Message} Make it readable for this account.", ex, Folder);
            }

            foreach (string path in files.OrderBy(f => f, StringComparer.Ordinal))
            {
                string name = Path.GetFileName(path);
                if (!name.EndsWith(suffix, StringComparison.Ordinal)) continue;
                string account = name.Substring(0, name.Length - suffix.Length);
                if (!AppStateKey.IsLegacyAccount(account)) continue;
                AppJournal? journal = Read(path, key);
                if (journal == null || journal.Version > AppJournal.LegacyVersion) continue; // gone meanwhile, or a new-format file of a 16-hex-digit host
                if (journal.Version < AppJournal.LegacyVersion || journal.ServerId != key.ServerId || journal.WebAppId != key.WebAppId || journal.Account != account)
                {
                    throw new StateException(
                        $"The journal {path} (the module's first state format) does not describe web app {key.WebAppId} (server {key.ServerId}) as its name says "
                        + $"(version {journal.Version}, account {journal.Account}, server {journal.ServerId}, web app {journal.WebAppId}). It was copied or edited; nothing was changed. "
                        + "Delete it after checking the app's certificate.", null, path, CorruptErrorId);
                }

                bool ours = account == key.LegacyAccount
                    || (Uri.TryCreate(journal.BaseUri, UriKind.Absolute, out Uri? root) && AppStateKey.ApiHostOf(root) == key.ApiHost);
                if (ours) found.Add((path, journal));
            }

            return found;
        }

        /// <summary>Reads and parses one journal file; null when it does not exist.</summary>
        private static AppJournal? Read(string path, AppStateKey key)
        {
            string text;
            try
            {
                StateFolder.RefuseLink(path, "journal");
                if (!File.Exists(path)) return null;
                text = File.ReadAllText(path, Encoding.UTF8);
            }
            catch (FileNotFoundException)
            {
                return null;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new StateException($"Cannot read the journal {path}: {ex.Message} Make the file readable for this account.", ex, path);
            }

            AppJournal? journal;
            try
            {
                Newtonsoft.Json.Linq.JObject o = JsonFields.ParseObject(text);
                int version = JsonFields.Int(o, "version");
                if (version > AppJournal.CurrentVersion)
                {
                    throw new StateException(
                        $"The journal {path} has format version {version}, written by a newer RunCloud.PowerShell; this one reads up to version {AppJournal.CurrentVersion}. "
                        + "Update the module (the file is left as it is).", null, path, CorruptErrorId);
                }

                journal = AppJournal.FromJson(o);
            }
            catch (JsonException ex)
            {
                throw new StateException(
                    $"The journal {path} is not valid ({ex.Message}). It records unfinished work on {key}; nothing was changed. "
                    + "Check the app's domains and certificate (Get-RunCloudDomain, Get-RunCloudSsl), run Reset-RunCloudSsl if the certificate is short, then delete the file.",
                    ex, path, CorruptErrorId);
            }

            if (journal == null || journal.Version < 1)
            {
                throw new StateException(
                    $"The journal {path} does not describe {key} (version {journal?.Version}). It was copied or edited; nothing was changed. Delete it after checking the app's certificate.",
                    null, path, CorruptErrorId);
            }

            return journal;
        }

        private static void DeleteFile(string path)
        {
            try
            {
                // Deleting a link removes the link, never its target; a journal is never one (RefuseLink on every read and write).
                if (File.Exists(path) || UnixLink(path)) File.Delete(path);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new StateException($"Cannot delete the finished journal {path}: {ex.Message}", ex, path);
            }
        }

        private static bool UnixLink(string path) =>
            !System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows) && UnixFiles.IsSymbolicLink(path);
    }
}
