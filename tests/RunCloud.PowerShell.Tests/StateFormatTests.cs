using System;
using System.Collections.Generic;
using System.IO;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using RunCloud.PowerShell.Ssl;
using RunCloud.PowerShell.State;
using RunCloud.PowerShell.Sync;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// The state files are written field by field (JsonFields), not by Newtonsoft's reflection serializer, which cost a
    /// fresh process tens of milliseconds to build its contracts. Files written by earlier releases (the attribute-based
    /// serializer with the stores' old settings) must read the same, and the new writer must write the same text, so a
    /// journal survives an upgrade and a downgrade; a field of the wrong type stays a "not valid" error.
    /// </summary>
    public class StateFormatTests
    {
        private static readonly JsonSerializerSettings Before = new JsonSerializerSettings
        {
            DateTimeZoneHandling = DateTimeZoneHandling.Utc,
            NullValueHandling = NullValueHandling.Ignore,
            Formatting = Formatting.Indented,
            MissingMemberHandling = MissingMemberHandling.Ignore,
        };

        private static readonly DateTime T = new DateTime(2026, 12, 7, 20, 15, 30, 123, DateTimeKind.Utc).AddTicks(4567);

        private static SyncRecord Record(bool optional) => new SyncRecord
        {
            Fingerprint = "f1", OptionsFingerprint = "o1", RecordedAt = T, SourceSince = T.AddDays(-1),
            FullReconcileAt = optional ? T.AddHours(-2) : (DateTime?)null, CheckedAt = optional ? T.AddMinutes(-5) : (DateTime?)null,
            CheckedMaxId = optional ? 42 : (long?)null, DomainCount = 3, AppliedHash = "abc",
        };

        private static SslJournalData Ssl() => new SslJournalData
        {
            NotReady = { new NotReadyName { Name = "a.example.com", Status = "NotPointed", Message = "points elsewhere", FirstSeen = T.AddDays(-2), LastChecked = T } },
            Issuances = { new Issuance { Set = "s1", Names = 2, Registered = { "example.com" }, At = T.AddDays(-1) } },
        };

        private static AppJournal Journal(bool full)
        {
            var j = new AppJournal
            {
                ApiHost = "manage.runcloud.io", BaseUri = "https://manage.runcloud.io/api/v3/", ServerId = 1001, WebAppId = 2001,
                CreatedAt = T.AddMinutes(-1), UpdatedAt = T, WrittenBy = full ? "Sync-RunCloudDomain" : null,
            };
            if (!full) return j;
            j.PendingAdds.Add("shop.example.com");
            j.PendingRemovals.Add(new JournalDomain { Id = 7, Name = "old.example.com" });
            j.OweSslRedeploy("added shop.example.com");
            j.SslDomains.Add(new JournalDomain { Id = 8, Name = "new.example.com" });
            j.SslReinstall = new JObject { ["provider"] = "letsencrypt", ["at"] = T };
            j.SetExtension(SyncRecord.Owner, Record(true).ToJson());
            j.SetExtension(SslJournalData.Owner, Ssl().ToJson());
            j.Unknown["fromNewer"] = new JObject { ["x"] = 1 };
            return j;
        }

        private static UsageMonth Month(bool full)
        {
            var m = new UsageMonth { ApiHost = "manage.runcloud.io", Account = "acct", Month = "2026-12", UpdatedAt = T, KeyId = full ? "k1" : null, MonthlyQuota = full ? 100000 : (long?)null };
            // In ordinal order, as the sorted dictionaries the attribute serializer wrote from kept them.
            m.Days["2026-12-07"] = new Dictionary<string, long>(StringComparer.Ordinal) { ["1001/*"] = 3, ["1001/2001"] = 12 };
            if (full) m.Unknown["fromNewer"] = "kept";
            return m;
        }

        public static IEnumerable<object[]> Cases() => new[] { new object[] { true }, new object[] { false } };

        [Theory]
        [MemberData(nameof(Cases))]
        public void JournalTextIsWhatTheAttributeSerializerWrote(bool full)
        {
            AppJournal j = Journal(full);
            Assert.Equal(JsonConvert.SerializeObject(j, Before), JsonFields.Write(j.ToJson()));
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void JournalWrittenBeforeReadsTheSame(bool full)
        {
            string before = JsonConvert.SerializeObject(Journal(full), Before);
            AppJournal read = AppJournal.FromJson(JsonFields.ParseObject(before));
            AppJournal old = JsonConvert.DeserializeObject<AppJournal>(before, Before)!;
            Assert.Equal(JsonConvert.SerializeObject(old, Before), JsonConvert.SerializeObject(read, Before));
            Assert.Equal(before, JsonFields.Write(read.ToJson()));
            Assert.Equal(T, read.UpdatedAt);
            Assert.Equal(DateTimeKind.Utc, read.UpdatedAt.Kind);
            if (full)
            {
                Assert.Equal(new[] { "shop.example.com" }, read.PendingAdds);
                Assert.Equal(7, Assert.Single(read.PendingRemovals).Id);
                Assert.True(read.SslRedeployPending);
                Assert.Equal(42, read.GetExtension(SyncRecord.Owner, SyncRecord.FromJson)!.CheckedMaxId);
                Assert.Equal("NotPointed", Assert.Single(read.GetExtension(SslJournalData.Owner, SslJournalData.FromJson)!.NotReady).Status);
                Assert.Equal(1, (int)read.Unknown["fromNewer"]["x"]!);
            }
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void ExtensionsMatchWhatFromObjectBuilt(bool optional)
        {
            Assert.True(JToken.DeepEquals(JToken.FromObject(Record(optional)), Record(optional).ToJson()));
            Assert.True(JToken.DeepEquals(JToken.FromObject(Ssl()), Ssl().ToJson()));
            SyncRecord back = SyncRecord.FromJson((JObject)JToken.FromObject(Record(optional)));
            Assert.Equal(JsonConvert.SerializeObject(Record(optional)), JsonConvert.SerializeObject(back));
            SslJournalData ssl = SslJournalData.FromJson((JObject)JToken.FromObject(Ssl()));
            Assert.Equal(JsonConvert.SerializeObject(Ssl()), JsonConvert.SerializeObject(ssl));
        }

        [Fact]
        public void UsageMonthWritesDaysAndAppsInOrdinalOrderWhateverOrderTheyWereCounted()
        {
            var counted = new UsageMonth { ApiHost = "h", Account = "a", Month = "2026-12", UpdatedAt = T };
            counted.Days["2026-12-08"] = new Dictionary<string, long>(StringComparer.Ordinal) { ["s1-w2"] = 1, ["account"] = 2 };
            counted.Days["2026-12-07"] = new Dictionary<string, long>(StringComparer.Ordinal) { ["s1-w2"] = 5, ["s1-w10"] = 4, ["account"] = 3 };
            var sorted = new UsageMonth { ApiHost = "h", Account = "a", Month = "2026-12", UpdatedAt = T };
            sorted.Days["2026-12-07"] = new Dictionary<string, long>(StringComparer.Ordinal) { ["account"] = 3, ["s1-w10"] = 4, ["s1-w2"] = 5 };
            sorted.Days["2026-12-08"] = new Dictionary<string, long>(StringComparer.Ordinal) { ["account"] = 2, ["s1-w2"] = 1 };
            string text = JsonFields.Write(counted.ToJson());
            Assert.Equal(JsonConvert.SerializeObject(sorted, Before), text);
            Assert.True(text.IndexOf("2026-12-07", StringComparison.Ordinal) < text.IndexOf("2026-12-08", StringComparison.Ordinal));
            Assert.True(text.IndexOf("s1-w10", StringComparison.Ordinal) < text.IndexOf("\"s1-w2\": 5", StringComparison.Ordinal));
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void UsageMonthTextIsWhatTheAttributeSerializerWrote(bool full)
        {
            UsageMonth m = Month(full);
            string before = JsonConvert.SerializeObject(m, Before);
            Assert.Equal(before, JsonFields.Write(m.ToJson()));
            UsageMonth read = UsageMonth.FromJson(JsonFields.ParseObject(before));
            Assert.Equal(before, JsonConvert.SerializeObject(read, Before));
            Assert.Equal(15, read.Total);
        }

        [Theory]
        [InlineData("{\"version\":2,\"serverId\":\"abc\"}", "serverId")]
        [InlineData("{\"version\":2,\"pendingAdds\":\"one\"}", "pendingAdds")]
        [InlineData("{\"version\":2,\"pendingRemovals\":[{\"id\":\"x\"}]}", "pendingRemovals")]
        [InlineData("{\"version\":2,\"createdAt\":null}", "createdAt")]
        [InlineData("{\"serverId\":1}", "version")]
        [InlineData("{\"version\":2,\"extensions\":[]}", "extensions")]
        public void AFieldOfTheWrongTypeIsNotValidAndNamed(string text, string field)
        {
            var ex = Assert.ThrowsAny<JsonException>(() => AppJournal.FromJson(JsonFields.ParseObject(text)));
            Assert.Contains(field, ex.Message);
        }

        [Fact]
        public void AnExtensionOfTheWrongShapeIsNotValid()
        {
            AppJournal j = AppJournal.FromJson(JsonFields.ParseObject("{\"version\":2,\"extensions\":{\"sync\":\"garbage\",\"ssl\":{\"notReady\":{}}}}"));
            Assert.Contains("extensions.sync", Assert.ThrowsAny<JsonException>(() => j.GetExtension(SyncRecord.Owner, SyncRecord.FromJson)).Message);
            Assert.Contains("notReady", Assert.ThrowsAny<JsonException>(() => j.GetExtension(SslJournalData.Owner, SslJournalData.FromJson)).Message);
        }

        [Fact]
        public void TrailingTextAfterTheObjectIsNotValid()
        {
            Assert.ThrowsAny<JsonException>(() => JsonFields.ParseObject("{\"version\":2} {\"version\":3}"));
            Assert.ThrowsAny<JsonException>(() => JsonFields.ParseObject("[1]"));
        }

        [Fact]
        public void AJournalWithAWrongFieldIsReportedCorruptByTheStore()
        {
            string folder = Path.Combine(Path.GetTempPath(), "rc-format-" + Guid.NewGuid().ToString("N"));
            try
            {
                var store = new JournalStore(folder);
                var key = new AppStateKey("manage.runcloud.io", 1001, 2001);
                store.Save(key, Journal(true), T);
                AppJournal back = store.Load(key)!;
                Assert.Equal(JsonFields.Write(Journal(true).ToJson()).Replace(T.AddMinutes(-1).ToString("o"), "x"), JsonFields.Write(back.ToJson()).Replace(T.AddMinutes(-1).ToString("o"), "x"));
                string path = Directory.GetFiles(folder, "*.json", SearchOption.AllDirectories)[0];
                File.WriteAllText(path, "{\"version\":2,\"serverId\":\"abc\"}");
                var ex = Assert.Throws<StateException>(() => store.Load(key));
                Assert.Equal(JournalStore.CorruptErrorId, ex.ErrorId);
                Assert.Contains("serverId", ex.Message);
            }
            finally
            {
                if (Directory.Exists(folder)) Directory.Delete(folder, true);
            }
        }
    }
}
