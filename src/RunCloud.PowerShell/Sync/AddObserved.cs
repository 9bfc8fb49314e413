namespace RunCloud.PowerShell.Sync
{
    /// <summary>What RunCloud's answer to one add showed.</summary>
    internal enum AddObserved
    {
        /// <summary>Added by this request.</summary>
        Added,

        /// <summary>Added: an ambiguous failure was checked by looking, and the name is there.</summary>
        Recovered,

        /// <summary>Already on this app before the request (nothing was added).</summary>
        AlreadyHere,

        /// <summary>Taken, and not on this app: another app of the server serves it.</summary>
        TakenElsewhere,

        /// <summary>Taken; where was not looked up.</summary>
        Taken,
    }
}
