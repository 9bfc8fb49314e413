namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// Why an apply stops before any change: a guard of the sync, a drifted or edited plan, another run holding the app,
    /// or an SSL step that would certainly be refused. <see cref="Guard"/> says which kind; the ErrorId is the one the
    /// real run's error carries (and, under -WhatIf, the result's StoppedBy).
    /// </summary>
    internal sealed class AppRefusal
    {
        public const string GuardKind = "Guard";
        public const string SslKind = "Ssl";
        public const string PlanKind = "Plan";
        public const string LiveKind = "Live";

        public AppRefusal(string kind, string guard, string errorId, string message, string? hint = null)
        {
            Kind = kind;
            Guard = guard;
            ErrorId = errorId;
            Message = message;
            Hint = hint;
        }

        /// <summary>Guard (a rule of the sync: Blocked), Ssl (the SSL step would be refused: Blocked), Plan (drift or a plan that breaks the rules: Refused), Live (the live state could not be read: Failed).</summary>
        public string Kind { get; }

        /// <summary>The guard's name in a plan: EmptySource, MaxRemove, LiveState, Ssl, Drift, Rules.</summary>
        public string Guard { get; }

        public string ErrorId { get; }

        public string Message { get; }

        /// <summary>What to do about it (the error's recommended action).</summary>
        public string? Hint { get; }

        public override string ToString() => Message;
    }
}
