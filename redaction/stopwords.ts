/** Function words and conversational fillers: never part of a name, email local part or street name. */
export const STOPWORDS = new Set(
  `a about above after again against all also am an and any are aren't as at be because been before being below
between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each else
ever every few for from further get gets got had hadn't has hasn't have haven't having he he'd he'll he's her here
here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself just let's
like me more most mustn't my myself no nor not now of off on once only or other ought our ours ourselves out over
own same shan't she she'd she'll she's should shouldn't so some such than that that's the their theirs them
themselves then there there's these they they'd they'll they're they've this those through to too under until up
us very was wasn't we we'd we'll we're we've were weren't what what's when when's where where's which while who
who's whom why why's with won't would wouldn't you you'd you'll you're you've your yours yourself yourselves
yes yeah yep no nope okay ok um uh er erm hmm oh well so right sure thanks thank please hello hi hey bye goodbye
sorry actually really maybe again still today tomorrow yesterday tonight morning afternoon evening night
call called calling email mail address number phone name named spell spelled spelling that's dot at underscore
dash hyphen slash com net org send sent write wrote reach contact need want know think said say says tell told
live lives living moved work works working born age old years year new good great fine nice time way thing things
one two three four five six seven eight nine ten zero hundred thousand first last next mister miss missus doctor
speaking here there gonna wanna gotta kinda sorta dunno lemme gimme ain't y'all`.split(/\s+/),
);
