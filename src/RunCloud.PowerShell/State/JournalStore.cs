using System;
using System.IO;
using System.Text;
using System.Threading;
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
    /// </summary>
    public sealed class JournalStore
    {
        public const string CorruptErrorId = "RunCloudJournalUnreadable";

        private static readonly JsonSerializerSettings Settings = new JsonSerializerSettings
        {
            DateTimeZoneHandling = DateTimeZoneHandling.Utc,
            NullValueHandling = NullValueHandling.Ignore,
            Formatting = Formatting.Indented,
            MissingMemberHandling = MissingMemberHandling.Ignore,
        };

        public JournalStore(string folder)
        {
            if (string.IsNullOrWhiteSpace(folder) || !Path.IsPathRooted(folder))
            {
                throw new ArgumentException("The state folder must be an absolute path.", nameof(folder));
            }

            Folder = folder;
        }

        /// <summary>The store in the user's state folder (RUNCLOUD_STATE_PATH, LOCALAPPDATA, XDG_STATE_HOME or ~/.local/state).</summary>
        public static JournalStore Default() => new JournalStore(StateFolder.Resolve());

        public string Folder { get; }

        public string JournalPath(AppStateKey key) => Path.Combine(Folder, key.FileStem + ".json");

        public string LockPath(AppStateKey key) => Path.Combine(Folder, key.FileStem + ".lock");

        /// <summary>The app's journal, or null when none exists (nothing pending).</summary>
        public AppJournal? Load(AppStateKey key)
        {
            string path = JournalPath(key);
            string text;
            try
            {
                if (!File.Exists(path)) return null;
                text = File.ReadAllText(path, Encoding.UTF8);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new StateException($"Cannot read the journal {path}: {ex.Message} Make the file readable for this account.", ex, path);
            }

            AppJournal? journal;
            try
            {
                int version = Newtonsoft.Json.Linq.JObject.Parse(text).Value<int?>("version") ?? 0;
                if (version > AppJournal.CurrentVersion)
                {
                    throw new StateException(
                        $"The journal {path} has format version {version}, written by a newer RunCloud.PowerShell; this one reads up to version {AppJournal.CurrentVersion}. "
                        + "Update the module (the file is left as it is).", null, path, CorruptErrorId);
                }

                journal = JsonConvert.DeserializeObject<AppJournal>(text, Settings);
            }
            catch (JsonException ex)
            {
                throw new StateException(
                    $"The journal {path} is not valid ({ex.Message}). It records unfinished work on {key}; nothing was changed. "
                    + "Check the app's domains and certificate (Get-RunCloudDomain, Get-RunCloudSsl), run Reset-RunCloudSsl if the certificate is short, then delete the file.",
                    ex, path, CorruptErrorId);
            }

            if (journal == null || journal.Version < 1 || journal.ServerId != key.ServerId || journal.WebAppId != key.WebAppId || journal.Account != key.Account)
            {
                throw new StateException(
                    $"The journal {path} does not describe {key} (version {journal?.Version}, server {journal?.ServerId}, web app {journal?.WebAppId}). "
                    + "It was copied or edited; nothing was changed. Delete it after checking the app's certificate.", null, path, CorruptErrorId);
            }

            return journal;
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
            journal.UpdatedAt = nowUtc;
            if (journal.CreatedAt == default) journal.CreatedAt = nowUtc;
            string path = JournalPath(key);
            string temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            try
            {
                StateFolder.Ensure(Folder);
                byte[] bytes = new UTF8Encoding(false).GetBytes(JsonConvert.SerializeObject(journal, Settings));
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    stream.Write(bytes, 0, bytes.Length);
                    stream.Flush(flushToDisk: true);
                }

                if (File.Exists(path)) File.Replace(temp, path, null);
                else File.Move(temp, path);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                TryDelete(temp);
                throw new StateException(
                    $"Cannot write the journal {path}: {ex.Message} Nothing more was changed. Make the state folder writable, or set {StateFolder.OverrideVariable} to one that is.",
                    ex, path);
            }
        }

        /// <summary>Removes the journal: nothing is owed any more.</summary>
        public void Delete(AppStateKey key)
        {
            string path = JournalPath(key);
            try
            {
                if (File.Exists(path)) File.Delete(path);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new StateException($"Cannot delete the finished journal {path}: {ex.Message}", ex, path);
            }
        }

        /// <summary>Takes the app's cross-process lock, waiting up to <paramref name="timeout"/>.</summary>
        public AppLock Lock(AppStateKey key, TimeSpan timeout, CancellationToken ct, string? holder = null) =>
            AppLock.Acquire(StateFolder.Ensure(Folder), LockPath(key), key, timeout, ct, holder);

        private static void TryDelete(string path)
        {
            try { File.Delete(path); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
