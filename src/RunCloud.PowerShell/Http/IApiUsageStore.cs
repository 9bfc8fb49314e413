using System.Collections.Generic;

namespace RunCloud.PowerShell.Http
{
    /// <summary>
    /// Where an <see cref="ApiUsageMeter"/> keeps its counts so that they outlive the process and add up across processes
    /// (the Commands layer gives one over the state folder's usage ledger). Both members may throw; the meter keeps what
    /// it could not write and tries again at its next flush.
    /// </summary>
    internal interface IApiUsageStore
    {
        /// <summary>Adds the counts to the account's totals, atomically, whatever other processes add at the same time.</summary>
        void Add(string account, IReadOnlyList<ApiUsageTick> ticks);

        /// <summary>The account's counts of one calendar month (UTC), every process's that were written.</summary>
        IReadOnlyList<ApiUsageTick> ReadMonth(string account, int year, int month);
    }
}
