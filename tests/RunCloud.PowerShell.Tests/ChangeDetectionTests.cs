using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Ssl;
using RunCloud.PowerShell.State;
using RunCloud.PowerShell.Sync;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// How a sync decides to read the app before any call (ChangeDetector, DesiredFingerprint): unchanged = no call,
    /// a few changed names = searches, otherwise (or when due, owed, changed outside, options changed) the full listing.
    /// </summary>
    public class ChangeDetectionTests
    {
        private static readonly DateTime Now = new DateTime(2031, 3, 10, 12, 0, 0, DateTimeKind.Utc);
        private static readonly AppStateKey Key = new AppStateKey("manage.runcloud.io", 1001, 2001);

        private static List<DesiredEntry> E(params string[] names) => names.Select(n => new DesiredEntry(n)).ToList();

        private static List<string> Names(int n, string prefix = "site") => Enumerable.Range(1, n).Select(i => $"{prefix}{i:d4}.example.com").ToList();

        private static AppRunOptions Run(bool full = false, bool resetSsl = false, bool www = false) =>
            new AppRunOptions { ChangeDetection = true, Full = full, ResetSsl = resetSsl, Www = www };

        /// <summary>The record of each journal the tests made (the journal holds its metadata; the lists live beside it).</summary>
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<AppJournal, SyncRecord> Records = new System.Runtime.CompilerServices.ConditionalWeakTable<AppJournal, SyncRecord>();

        /// <summary>A journal holding the record of a clean sync of <paramref name="desired"/> (the app = those names and a primary), listed in full at <paramref name="listedAt"/>.</summary>
        private static AppJournal Recorded(IReadOnlyList<DesiredEntry> desired, SyncOptions guards, AppRunOptions run, DateTime listedAt, IEnumerable<string>? onApp = null)
        {
            DesiredFingerprint fp = DesiredFingerprint.Compute(desired, guards, run);
            var record = new SyncRecord
            {
                Fingerprint = fp.Whole,
                OptionsFingerprint = fp.Options,
                RecordedAt = listedAt,
                SourceSince = listedAt.AddDays(-3),
                FullReconcileAt = listedAt,
                Desired = fp.Entries,
                Domains = (onApp ?? desired.Select(d => d.Raw)).Select((n, i) => new SyncRecordDomain { Id = 100 + i, Name = n })
                    .Append(new SyncRecordDomain { Id = 1, Name = "main.example.com", Type = "primary" }).ToList(),
            };
            record.CheckedMaxId = record.Domains.Max(d => d.Id);
            AppJournal journal = AppJournal.For(Key, "https://manage.runcloud.io/api/v3/", listedAt);
            journal.SetExtension(SyncRecord.Owner, record.ToJson());
            Records.Add(journal, record);
            return journal;
        }

        private static ChangeDecision Decide(IReadOnlyList<DesiredEntry> desired, AppJournal? journal, SyncOptions? guards = null, AppRunOptions? run = null,
            DateTime? changedOutside = null, DateTime? now = null) =>
            ChangeDetector.Decide(desired, guards ?? new SyncOptions(), run ?? Run(), journal,
                journal != null && Records.TryGetValue(journal, out SyncRecord? record) ? record : null, changedOutside, now ?? Now);

        [Fact]
        public void TheFirstSyncListsInFull()
        {
            ChangeDecision d = Decide(E("a.example.com"), null);
            Assert.Equal(ReadWay.Full, d.Way);
            Assert.Contains("no clean sync", d.Reason);
        }

        [Fact]
        public void AnUnchangedSourceNeedsNoCallAndSaysSinceWhenAndTheNextFullCheck()
        {
            List<DesiredEntry> desired = E(Names(100).ToArray());
            AppJournal journal = Recorded(desired, new SyncOptions(), Run(), Now.AddHours(-5));
            ChangeDecision d = Decide(E(Names(100).AsEnumerable().Reverse().Select(n => n.ToUpperInvariant()).ToArray()), journal);
            Assert.Equal(ReadWay.Unchanged, d.Way);
            Assert.Equal(0, d.ReadCalls);
            Assert.Equal("source unchanged since 2031-03-07 07:00:00Z; next full check at 2031-03-11 07:00:00Z", d.Reason);
            Assert.Equal(Now.AddHours(-5).AddDays(1), d.NextFullCheck);
        }

        [Fact]
        public void OneAddedNameIsOneSearchInsteadOfTheListing()
        {
            List<DesiredEntry> before = E(Names(400).ToArray());
            AppJournal journal = Recorded(before, new SyncOptions(), Run(), Now.AddHours(-1));
            ChangeDecision d = Decide(E(Names(400).Append("new.example.org").ToArray()), journal);
            Assert.Equal(ReadWay.Targeted, d.Way);
            Assert.Equal(new[] { "new.example.org" }, d.Check);
            Assert.Equal(1, d.ReadCalls);
            Assert.Equal(11, d.ListingPages); // 401 domains on the app: ceil(401/40)
            Assert.Contains("1 name(s) changed", d.Reason);
        }

        [Fact]
        public void ARemovedNameIsSearchedOnlyWhenThePruneWouldRemoveIt()
        {
            var prune = new SyncOptions { Prune = true };
            List<string> all = Names(400);
            AppJournal journal = Recorded(E(all.ToArray()), prune, Run(), Now.AddHours(-1));
            ChangeDecision d = Decide(E(all.Skip(1).ToArray()), journal, prune);
            Assert.Equal(ReadWay.Targeted, d.Way);
            Assert.Equal(new[] { all[0] }, d.Check);
        }

        [Fact]
        public void ASearchThatMatchesManyNamesIsPredictedAsMorePages()
        {
            // RunCloud's search matches names that CONTAIN the text: "example.com" is in all 100 of them.
            IEnumerable<SyncRecordDomain> known = Names(100).Select(n => new SyncRecordDomain { Name = n });
            Assert.Equal(3, ChangeDetector.SearchPages("example.com", known));
            Assert.Equal(1, ChangeDetector.SearchPages("site0001.example.com", known));
            Assert.Equal(1, ChangeDetector.SearchPages("absent.example.org", known));
        }

        [Fact]
        public void ManyChangesOnASmallAppListItInstead()
        {
            AppJournal journal = Recorded(E(Names(30).ToArray()), new SyncOptions(), Run(), Now.AddHours(-1));
            // One listing page holds the whole app: no search is cheaper than that.
            ChangeDecision d = Decide(E(Names(31).ToArray()), journal);
            Assert.Equal(ReadWay.Full, d.Way);
            Assert.Contains("costs no less than listing the app (1 page(s))", d.Reason);
            Assert.Equal(1, d.ReadCalls);

            journal = Recorded(E(Names(400).ToArray()), new SyncOptions(), Run(), Now.AddHours(-1));
            d = Decide(E(Names(400).Concat(Names(11, "extra")).ToArray()), journal);
            Assert.Equal(ReadWay.Full, d.Way); // 11 searches against an 11-page listing
            d = Decide(E(Names(400).Concat(Names(10, "extra")).ToArray()), journal);
            Assert.Equal(ReadWay.Targeted, d.Way);
            Assert.Equal(10, d.ReadCalls);
        }

        [Fact]
        public void TheFullCheckDueAfterReconcileEveryIsTheOneCallDriftCheck()
        {
            List<DesiredEntry> desired = E(Names(100).ToArray());
            AppJournal journal = Recorded(desired, new SyncOptions(), Run(), Now.AddDays(-1));
            ChangeDecision d = Decide(desired, journal);
            Assert.Equal(ReadWay.DriftCheck, d.Way);
            Assert.Equal("the full check is due (the last was at 2031-03-09 12:00:00Z, -ReconcileEvery 1.00:00:00): one page of the newest domains instead of the 3-page listing; next full listing at 2031-03-16 12:00:00Z", d.Reason);
            Assert.Equal(1, d.ReadCalls);
            Assert.Equal(3, d.ListingPages);
            // A changed source on the day of the check: the drift check still replaces the searches (it vouches for the whole app).
            Assert.Equal(ReadWay.DriftCheck, Decide(E(Names(101).ToArray()), journal).Way);

            AppRunOptions weekly = Run();
            weekly.ReconcileEvery = TimeSpan.FromDays(7);
            Assert.Equal(ReadWay.Unchanged, Decide(desired, journal, run: weekly).Way);
        }

        [Fact]
        public void TheFullListingIsDueAfterFullListEveryAndTheLastCheckCountsFromTheDriftCheck()
        {
            List<DesiredEntry> desired = E(Names(100).ToArray());
            AppJournal journal = Recorded(desired, new SyncOptions(), Run(), Now.AddDays(-7));
            Records.TryGetValue(journal, out SyncRecord? record);
            ChangeDecision d = Decide(desired, journal);
            Assert.Equal(ReadWay.Full, d.Way);
            Assert.Equal("the full listing is due (the last was at 2031-03-03 12:00:00Z, -FullListEvery 7.00:00:00): the whole app is listed", d.Reason);
            Assert.Equal(3, d.ReadCalls);

            // A drift check vouched three hours ago: that was the day's full check, and the next one is the listing's due time at the latest.
            record!.CheckedAt = Now.AddHours(-3);
            AppRunOptions longer = Run();
            longer.FullListEvery = TimeSpan.FromDays(8);
            d = Decide(desired, journal, run: longer);
            Assert.Equal(ReadWay.Unchanged, d.Way);
            Assert.Equal(Now.AddHours(-3).AddDays(1), d.NextFullCheck);
            longer.FullListEvery = TimeSpan.FromDays(7.1);
            Assert.Equal(Now.AddDays(0.1), Decide(desired, journal, run: longer).NextFullCheck);

            // -FullListEvery no longer than -ReconcileEvery: every full check lists (the drift check never runs).
            record.CheckedAt = null;
            AppRunOptions daily = Run();
            daily.FullListEvery = TimeSpan.FromDays(1);
            journal = Recorded(desired, new SyncOptions(), Run(), Now.AddDays(-1));
            Assert.Equal(ReadWay.Full, Decide(desired, journal, run: daily).Way);
        }

        [Fact]
        public void TheFullCheckListsAOnePageAppOrARecordWithoutTheCheckedIdInstead()
        {
            AppJournal journal = Recorded(E(Names(30).ToArray()), new SyncOptions(), Run(), Now.AddDays(-1));
            ChangeDecision d = Decide(E(Names(30).ToArray()), journal);
            Assert.Equal(ReadWay.Full, d.Way);
            Assert.EndsWith("the app fits on one page, so it is listed", d.Reason);
            Assert.Equal(1, d.ReadCalls);

            journal = Recorded(E(Names(100).ToArray()), new SyncOptions(), Run(), Now.AddDays(-1));
            Records.TryGetValue(journal, out SyncRecord? record);
            record!.CheckedMaxId = null;
            d = Decide(E(Names(100).ToArray()), journal);
            Assert.Equal(ReadWay.Full, d.Way);
            Assert.Contains("does not say the highest id of the last full check", d.Reason);
        }

        /// <summary>A record of <paramref name="n"/> domains with ids 1..n, checked in full when the highest id was <paramref name="checkedMaxId"/>.</summary>
        private static SyncRecord DriftRecord(int n, long? checkedMaxId = null) => new SyncRecord
        {
            Domains = Enumerable.Range(1, n).Select(i => new SyncRecordDomain { Id = i, Name = $"d{i:d4}.example.com" }).ToList(),
            CheckedMaxId = checkedMaxId ?? n,
        };

        private static RunCloudDomain Live(long id, string? name = null) => new RunCloudDomain { Id = id, Name = name ?? $"d{id:d4}.example.com" };

        /// <summary>The newest <paramref name="count"/> of ids, newest first.</summary>
        private static List<RunCloudDomain> Newest(IEnumerable<long> ids, int count = 40) => ids.OrderByDescending(i => i).Take(count).Select(i => Live(i)).ToList();

        [Fact]
        public void TheDriftCheckVouchesOnlyForExactlyTheRecordedApp()
        {
            SyncRecord record = DriftRecord(100);
            IEnumerable<long> all = Enumerable.Range(1, 100).Select(i => (long)i);
            Assert.Null(DriftCheck.Judge(record, Newest(all), 100));
            Assert.Null(DriftCheck.Judge(record, Newest(all, 15), 100)); // a server that caps perPage: still the newest, still enough

            // A deletion made in the dashboard: the total says so.
            Assert.Equal("RunCloud counts 99 domain(s), the last sync's record 100 (a domain was added or deleted outside the sync)",
                DriftCheck.Judge(record, Newest(all.Where(i => i != 42)), 99));
            // An addition: it has the highest id.
            Assert.StartsWith("RunCloud counts 101", DriftCheck.Judge(record, Newest(all.Append(101)), 101));
            // A deletion plus an addition: the total is the same, the new id is on the page.
            Assert.Equal("d0101.example.com (id 101) is on the app but not in the last sync's record (added outside the sync)",
                DriftCheck.Judge(record, Newest(all.Where(i => i != 42).Append(101)), 100));
            // The newest recorded domain deleted plus an older id come back (impossible on RunCloud, caught all the same).
            Assert.StartsWith("the record's newest domain, d0100.example.com (id 100), is not on the app",
                DriftCheck.Judge(DriftRecord(100), Newest(all.Where(i => i != 100)), 100));
            // The same id under another name.
            List<RunCloudDomain> renamed = Newest(all);
            renamed[3] = Live(renamed[3].Id, "other.example.com");
            Assert.StartsWith("id 97 is other.example.com on the app but d0097.example.com", DriftCheck.Judge(record, renamed, 100));
        }

        [Fact]
        public void TheDriftCheckNeverVouchesForAnUnsortedPageOrAMissingTotal()
        {
            SyncRecord record = DriftRecord(100);
            IEnumerable<long> all = Enumerable.Range(1, 100).Select(i => (long)i);
            // A server that ignored the sort: oldest first.
            List<RunCloudDomain> oldestFirst = all.Take(40).Select(i => Live(i)).ToList();
            Assert.StartsWith("the page is not sorted by id, newest first (id 2 follows 1)", DriftCheck.Judge(record, oldestFirst, 100));
            // Sorted but for one pair, or a repeated id.
            List<RunCloudDomain> swapped = Newest(all);
            (swapped[5], swapped[6]) = (swapped[6], swapped[5]);
            Assert.StartsWith("the page is not sorted", DriftCheck.Judge(record, swapped, 100));
            List<RunCloudDomain> repeated = Newest(all);
            repeated[6] = repeated[5];
            Assert.StartsWith("the page is not sorted", DriftCheck.Judge(record, repeated, 100));

            Assert.Equal("RunCloud's answer has no meta.pagination.total", DriftCheck.Judge(record, Newest(all), null));
            Assert.StartsWith("RunCloud counts 100 domain(s) but answers none", DriftCheck.Judge(record, new List<RunCloudDomain>(), 100));
            SyncRecord noCheckedId = DriftRecord(100);
            noCheckedId.CheckedMaxId = null;
            Assert.StartsWith("the last sync's record does not say", DriftCheck.Judge(noCheckedId, Newest(all), 100));
        }

        [Fact]
        public void TheDriftCheckCannotVouchWhenMoreDomainsCameSinceTheLastFullCheckThanOnePageShows()
        {
            // At the last full check the app had ids 1..100. Since: the dashboard added id 101 and deleted id 7; then the
            // sync added 45 names (ids 102..146), recorded. The record (1..146 without 101) still holds 7; the app holds
            // 101 but not 7: the same total, and the newest 40 (107..146) are all recorded.
            var record = DriftRecord(100, checkedMaxId: 100);
            record.Domains.AddRange(Enumerable.Range(102, 45).Select(i => new SyncRecordDomain { Id = i, Name = $"d{i:d4}.example.com" }));
            IEnumerable<long> app = Enumerable.Range(1, 146).Select(i => (long)i).Where(i => i != 7);
            Assert.Equal(145, record.Domains.Count);
            Assert.Equal(145, app.Count());
            Assert.Equal("the page's 40 newest domains all came after the last full check (id 100): one page cannot show every domain added since",
                DriftCheck.Judge(record, Newest(app), 145));

            // With 39 names added since, the page reaches back past the last full check: the stray id 101 shows.
            record = DriftRecord(100, checkedMaxId: 100);
            record.Domains.AddRange(Enumerable.Range(102, 39).Select(i => new SyncRecordDomain { Id = i, Name = $"d{i:d4}.example.com" }));
            app = Enumerable.Range(1, 140).Select(i => (long)i).Where(i => i != 7);
            Assert.StartsWith("d0101.example.com (id 101) is on the app but not", DriftCheck.Judge(record, Newest(app), 139));
        }

        [Fact]
        public void FullOwedWorkAndChangesMadeOutsideTheSyncListInFull()
        {
            List<DesiredEntry> desired = E(Names(100).ToArray());
            AppJournal journal = Recorded(desired, new SyncOptions(), Run(), Now.AddHours(-1));
            Assert.Equal(ReadWay.Full, Decide(desired, journal, run: Run(full: true)).Way);
            Assert.Equal(ReadWay.Full, Decide(desired, journal, changedOutside: Now.AddMinutes(-10)).Way);
            Assert.Equal(ReadWay.Unchanged, Decide(desired, journal, changedOutside: Now.AddHours(-2)).Way);

            journal.PendingAdds.Add("half-done.example.com");
            ChangeDecision d = Decide(desired, journal);
            Assert.Equal(ReadWay.Full, d.Way);
            Assert.Contains("left work owed", d.Reason);
        }

        [Fact]
        public void ChangedOptionsListInFull()
        {
            List<DesiredEntry> desired = E(Names(100).ToArray());
            AppJournal journal = Recorded(desired, new SyncOptions(), Run(), Now.AddHours(-1));
            Assert.Equal(ReadWay.Full, Decide(desired, journal, new SyncOptions { Prune = true }).Way);
            Assert.Equal(ReadWay.Full, Decide(desired, journal, new SyncOptions { MaxRemove = 11 }).Way);
            Assert.Equal(ReadWay.Full, Decide(desired, journal, new SyncOptions { Exclude = NamePattern.ParseAll(new[] { "*.test" }, "-Exclude") }).Way);
            Assert.Equal(ReadWay.Full, Decide(desired, journal, new SyncOptions { ProtectedName = Array.Empty<NamePattern>(), SourceProtects = _ => false, SourceProtectsKey = "a" }).Way);
            Assert.Equal(ReadWay.Full, Decide(desired, journal, run: Run(www: true)).Way);
        }

        [Fact]
        public void NamesWaitingForDnsOrResetSslAreNeverSkipped()
        {
            List<DesiredEntry> desired = E(Names(100).ToArray());
            AppJournal journal = Recorded(desired, new SyncOptions(), Run(), Now.AddHours(-1));
            ChangeDecision d = Decide(desired, journal, run: Run(resetSsl: true));
            Assert.Equal(ReadWay.Targeted, d.Way);
            Assert.Empty(d.Check);
            Assert.Equal(0, d.ReadCalls);

            journal.SetExtension(SslJournalData.Owner, new SslJournalData { NotReady = { new NotReadyName { Name = "site0001.example.com" } } }.ToJson());
            Assert.Equal(ReadWay.Targeted, Decide(desired, journal).Way);
        }

        [Fact]
        public void ARecordOfAnotherFormatOrUnreadableIsNoRecord()
        {
            AppJournal journal = AppJournal.For(Key, null, Now);
            journal.Extensions[SyncRecord.Owner] = Newtonsoft.Json.Linq.JToken.Parse("{\"version\":99,\"fingerprint\":\"x\"}");
            Assert.Null(ChangeDetector.Read(journal));
            journal.Extensions[SyncRecord.Owner] = Newtonsoft.Json.Linq.JToken.Parse("{\"version\":1,\"recordedAt\":\"not a date\"}");
            Assert.Null(ChangeDetector.Read(journal));
            Assert.Equal(ReadWay.Full, Decide(E("a.example.com"), journal).Way);
        }

        [Fact]
        public void TheAppliedSetIsTrustedOnlyWhenItsHashIsTheJournals()
        {
            var store = new JournalStore(TestStateFolder.NewFolder());
            List<DesiredEntry> desired = E("a.example.com", "tab\there", "b.example.com");
            AppJournal journal = Recorded(desired, new SyncOptions(), Run(), Now);
            Records.TryGetValue(journal, out SyncRecord? record);
            SyncRecords.Save(store, Key, journal, record!, Now);

            SyncRecord loaded = SyncRecords.Load(store, Key, store.Load(Key))!;
            Assert.Equal(record!.Desired, loaded.Desired);
            Assert.Equal(record.Domains.Select(d => (d.Id, d.Name, d.Type)), loaded.Domains.Select(d => (d.Id, d.Name, d.Type)));
            Assert.Equal(4, loaded.DomainCount);
            Assert.DoesNotContain("domains", store.Load(Key)!.Extensions[SyncRecord.Owner]!.ToString()); // the journal stays small

            // An applied set edited, cut short or missing is not trusted: the next run lists in full.
            File.AppendAllText(store.AppliedPath(Key), "domain\t99\textra.example.com\talias\t0\tnone\t0\n");
            Assert.Null(SyncRecords.Load(store, Key, store.Load(Key)));
            File.Delete(store.AppliedPath(Key));
            Assert.Null(SyncRecords.Load(store, Key, store.Load(Key)));
        }

        [Fact]
        public void TheFingerprintCoversEveryEntryAndEveryOptionThatShapesThePlan()
        {
            string F(IEnumerable<DesiredEntry> e, SyncOptions? g = null, AppRunOptions? r = null) => DesiredFingerprint.Compute(e, g ?? new SyncOptions(), r ?? Run()).Whole;
            string baseline = F(E("a.example.com", "b.example.com"));
            Assert.Equal(baseline, F(E("B.Example.com.", "a.example.com", "")));          // order, case, trailing dot, blank lines
            Assert.NotEqual(baseline, F(E("a.example.com")));
            Assert.NotEqual(baseline, F(E("a.example.com", "b.example.com", "c.example.com")));
            Assert.NotEqual(baseline, F(E("a.example.com").Append(new DesiredEntry("b.example.com", "not a domain"))));
            Assert.NotEqual(baseline, F(E("a.example.com", "b.example.com"), new SyncOptions { AllowEmptySource = true }));
            Assert.NotEqual(baseline, F(E("a.example.com", "b.example.com"), new SyncOptions { AllowInvalidEntries = true }));
            Assert.NotEqual(baseline, F(E("a.example.com", "b.example.com"), new SyncOptions { ProtectedName = NamePattern.ParseAll(new[] { "*.x" }, "p") }));
            AppRunOptions redirect = Run();
            redirect.Redirection = "www";
            Assert.NotEqual(baseline, F(E("a.example.com", "b.example.com"), r: redirect));
            var protects = new SyncOptions { SourceProtects = _ => true, SourceProtectsKey = "k1" };
            Assert.NotEqual(F(E("a.example.com"), protects), F(E("a.example.com"), new SyncOptions { SourceProtects = _ => true, SourceProtectsKey = "k2" }));

            // Name by name: what changed between two desired sets.
            var before = DesiredFingerprint.Compute(E("a.example.com", "b.example.com", "bad entry!"), new SyncOptions(), Run()).Entries;
            var now = DesiredFingerprint.Compute(E("b.example.com", "c.example.com"), new SyncOptions(), Run()).Entries;
            Assert.Equal(new[] { "!bad entry!", "a.example.com", "c.example.com" }, DesiredFingerprint.Changed(before, now));
        }
    }
}
