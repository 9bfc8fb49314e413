using System;
using Newtonsoft.Json.Linq;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// How a listing's items are read from their JSON, built here so that the cmdlets (RunCloud.PowerShell.Commands, in the
    /// default load context) never name a Newtonsoft.Json type: one they named would bind to the session's copy, not the
    /// module's.
    /// </summary>
    internal sealed class ItemMap<T>
    {
        internal ItemMap(Func<JObject, T> map) => Map = map;

        internal Func<JObject, T> Map { get; }

        /// <summary>The same items, each passed through <paramref name="then"/> (a cmdlet's own stamp) before it is written.</summary>
        public ItemMap<T> Then(Func<T, T> then) => new ItemMap<T>(o => then(Map(o)));
    }
}
