using System;

namespace RunCloud.PowerShell.Http
{
    /// <summary>
    /// Where the lower layers send their verbose and debug lines. The Commands layer implements it (queuing the lines
    /// for the cmdlet to write on the pipeline thread); nothing below Commands knows about PowerShell's streams.
    /// </summary>
    internal interface IRunCloudLog
    {
        bool VerboseEnabled { get; }

        bool DebugEnabled { get; }

        void Verbose(string text);

        void Debug(string text);

        /// <summary>
        /// The account's rate limiter holds a request back for <paramref name="wait"/> (reported once per wait, and only
        /// for waits of <see cref="RateLimiter.ReportedWait"/> or more): the cmdlet says so in -Verbose and on its progress
        /// bar, so a long sync is never silent while it paces. <paramref name="reason"/> says why, for a person.
        /// </summary>
        void RateLimitWait(TimeSpan wait, string reason);
    }
}
