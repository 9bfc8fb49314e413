using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands.Completion
{
    /// <summary>
    /// Tab completion of -Name with the names of servers, web apps or domains. A completer runs while the user waits at
    /// the prompt, so it never waits for RunCloud more than <see cref="Wait"/>: a slower answer still lands in the cache
    /// (per connection and list, for five minutes), and the next Tab offers it. It never throws.
    /// </summary>
    internal abstract class RunCloudNameCompleter : IArgumentCompleter
    {
        /// <summary>The longest a completion waits for RunCloud.</summary>
        internal static readonly TimeSpan Wait = TimeSpan.FromSeconds(1);

        private static readonly TimeSpan s_lifetime = TimeSpan.FromMinutes(5);
        private static readonly TimeSpan s_readLimit = TimeSpan.FromSeconds(30);
        private const int MaxPages = 5;

        private static readonly ConditionalWeakTable<RunCloudConnection, Dictionary<string, (DateTime Started, Task<string[]> Names)>> s_cache =
            new ConditionalWeakTable<RunCloudConnection, Dictionary<string, (DateTime, Task<string[]>)>>();

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            try
            {
                RunCloudConnection? connection = CompletionConnection.From(fakeBoundParameters);
                if (connection == null) return Enumerable.Empty<CompletionResult>();
                string? key = Scope(connection, fakeBoundParameters, out Func<RunCloudService, PageIterator>? open);
                if (key == null || open == null) return Enumerable.Empty<CompletionResult>();

                Task<string[]> names = Names(connection, key, open, NameField);
                if (!names.Wait(Wait) || names.Status != TaskStatus.RanToCompletion) return Enumerable.Empty<CompletionResult>();

                string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
                var pattern = new WildcardPattern(prefix + "*", WildcardOptions.IgnoreCase);
                return names.Result
                    .Where(n => pattern.IsMatch(n))
                    .Select(n => new CompletionResult(Quote(n), n, CompletionResultType.ParameterValue, n))
                    .ToList();
            }
            catch (Exception)
            {
                return Enumerable.Empty<CompletionResult>(); // completion must never throw at the prompt
            }
        }

        /// <summary>What to list: a cache key and how to open the listing; null for nothing (e.g. no web app id known).</summary>
        private protected abstract string? Scope(RunCloudConnection connection, IDictionary? bound, out Func<RunCloudService, PageIterator>? open);

        /// <summary>The field of each listed item that is completed (a DNS integration's is its label).</summary>
        private protected virtual string NameField => "name";

        private protected static long? BoundId(IDictionary? bound, string name)
        {
            object? value = Unwrap(bound?[name]);
            return value == null ? (long?)null
                : long.TryParse(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture), out long id) ? id : (long?)null;
        }

        private static object? Unwrap(object? value) => value is PSObject pso ? pso.BaseObject : value;

        private static string Quote(string name) =>
            name.IndexOfAny(new[] { ' ', '\'', '"', '$', '`', '(', ')', '{', '}', ';', ',', '&', '|', '@', '#' }) >= 0
                ? "'" + name.Replace("'", "''") + "'"
                : name;

        /// <summary>The names of one list: a cached read, or one started now (at most one at a time per list).</summary>
        private static Task<string[]> Names(RunCloudConnection connection, string key, Func<RunCloudService, PageIterator> open, string field)
        {
            Dictionary<string, (DateTime Started, Task<string[]> Names)> perConnection = s_cache.GetOrCreateValue(connection);
            lock (perConnection)
            {
                if (perConnection.TryGetValue(key, out var entry)
                    && !entry.Names.IsFaulted && !entry.Names.IsCanceled
                    && DateTime.UtcNow - entry.Started < s_lifetime)
                {
                    return entry.Names;
                }

                Task<string[]> read = Task.Run(() => ReadAsync(open(connection.CreateService()), field));
                perConnection[key] = (DateTime.UtcNow, read);
                return read;
            }
        }

        private static async Task<string[]> ReadAsync(PageIterator pages, string field)
        {
            var names = new List<string>();
            using var limit = new CancellationTokenSource(s_readLimit);
            IReadOnlyList<JObject>? page;
            for (int read = 0; read < MaxPages && (page = await pages.NextAsync(limit.Token).ConfigureAwait(false)) != null; read++)
            {
                names.AddRange(page.Select(o => o[field]?.Type == JTokenType.String ? (string?)o[field] : null).Where(n => !string.IsNullOrEmpty(n))!);
            }

            return names.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        }
    }
}
