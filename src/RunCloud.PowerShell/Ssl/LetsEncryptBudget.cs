using System;
using System.Collections.Generic;
using System.Linq;

namespace RunCloud.PowerShell.Ssl
{
    /// <summary>
    /// Let's Encrypt's rate limits, counted from the issuances the journal remembers: 5 duplicate certificates (same
    /// name set) per 7 days, 50 certificates per registered domain per 7 days, 300 new orders per 3 hours.
    /// </summary>
    internal sealed class LetsEncryptBudget
    {
        public const int DuplicatesPerWeek = 5;
        public const int PerRegisteredDomainPerWeek = 50;
        public const int OrdersPerThreeHours = 300;
        public static readonly TimeSpan Week = TimeSpan.FromDays(7);
        public static readonly TimeSpan ThreeHours = TimeSpan.FromHours(3);

        private readonly List<Issuance> _issuances;
        private readonly DateTime _now;

        public LetsEncryptBudget(SslJournalData data, DateTime nowUtc)
        {
            _now = nowUtc;
            data.Issuances.RemoveAll(i => i.At <= nowUtc - Week); // older ones no longer count
            _issuances = data.Issuances;
        }

        /// <summary>
        /// Null when an order for <paramref name="names"/> fits every limit; else the refusal, with the UTC time it
        /// becomes possible.
        /// </summary>
        public (string Limit, DateTime PossibleAt)? Check(IReadOnlyCollection<string> names, bool allowDuplicate)
        {
            string set = SslNames.SetKey(names);
            if (!allowDuplicate)
            {
                List<DateTime> same = _issuances.Where(i => i.Set == set && i.At > _now - Week).Select(i => i.At).OrderBy(t => t).ToList();
                if (same.Count >= DuplicatesPerWeek)
                {
                    return ($"{same.Count} certificates for exactly these {names.Count} name(s) were issued in the last 7 days; Let's Encrypt allows {DuplicatesPerWeek} duplicates a week",
                        same[same.Count - DuplicatesPerWeek] + Week);
                }
            }

            List<DateTime> orders = _issuances.Where(i => i.At > _now - ThreeHours).Select(i => i.At).OrderBy(t => t).ToList();
            if (orders.Count >= OrdersPerThreeHours)
            {
                return ($"{orders.Count} certificate orders in the last 3 hours; Let's Encrypt allows {OrdersPerThreeHours}", orders[orders.Count - OrdersPerThreeHours] + ThreeHours);
            }

            foreach (string registered in names.Select(SslNames.RegisteredDomain).Distinct())
            {
                List<DateTime> under = _issuances.Where(i => i.Registered.Contains(registered) && i.At > _now - Week).Select(i => i.At).OrderBy(t => t).ToList();
                if (under.Count >= PerRegisteredDomainPerWeek)
                {
                    return ($"{under.Count} certificates under {registered} in the last 7 days; Let's Encrypt allows {PerRegisteredDomainPerWeek} per registered domain a week",
                        under[under.Count - PerRegisteredDomainPerWeek] + Week);
                }
            }

            return null;
        }

        /// <summary>Counts an order that was sent.</summary>
        public void Record(IReadOnlyCollection<string> names) => _issuances.Add(new Issuance
        {
            Set = SslNames.SetKey(names),
            Names = names.Count,
            Registered = names.Select(SslNames.RegisteredDomain).Distinct().ToList(),
            At = _now,
        });
    }
}
