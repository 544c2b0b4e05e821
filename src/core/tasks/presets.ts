// Built-in generation tasks: the prompts of the ZeroGen / SunGen papers for their 8 benchmarks (copied from the
// authors' task files, `<C>` / `<X1>` → `{context}`, labels mapped by meaning, not by the files' numeric ids) and the
// default "happy vs sad stories" task whose prompts suit the bundled TinyStories model. Embedded here because the page
// cannot read ../shared; tests/unit/tasks-presets.test.ts checks them against the files.
import type { TaskSpec } from './types.ts';

/** SunGen's default self-debiasing decay constant λ for tasks whose files list counter labels. */
export const PAPER_DEBIAS_DECAY = 200;

const movieTitle = { prompt: 'Movie: "', instruction: 'Name one movie. Reply with its title only.', maxNewTokens: 16 };

/** Product categories used as fixed contexts for Amazon Elec (SunGen tasks/amazon/category_names.txt, in order). */
export const AMAZON_CATEGORIES: string[] = [
  'Electronics', 'Keyboard', 'Mouse', 'DVD players', 'CD player', 'MiniDV recorder', 'MP3 Player', 'FM reception',
  'Printer', 'Adaptor', 'SD card', 'Cell Phone', 'Camera', 'Headphone', 'Computer', 'Electronics Accessories',
  'Home Audio', 'Video Game Consoles', 'Service Plan', 'GPS', 'Television', 'Video', 'Computer', 'Desktop PC', 'Laptop',
  'eBook Readers', 'GPS Finders', 'Portable Audio', 'Video', 'Security', 'Surveillance', 'Vehicle Electronics',
  'Accessories', 'eBook Readers', 'Portable Audio', 'Wearable Technology', 'Gadget', 'Electronics Warranties',
  'Television', 'Car', 'Video Projectors',
];

/**
 * Diversity lever (Li et al. 2024): aspects a movie review can dwell on, one per sample through MOVIE_TOPIC_TEMPLATE.
 * Aspects rather than genres, so the topic never contradicts the generated movie title.
 */
export const MOVIE_TOPICS: string[] = [
  'the acting', 'the plot', 'the script', 'the direction', 'the soundtrack', 'the visuals', 'the pacing', 'the ending',
  'the characters', 'the dialogue', 'the humour', 'the special effects', 'the cast', 'the length', 'the emotional impact',
  'the cinematography',
];
export const MOVIE_TOPIC_TEMPLATE = 'Focus on {topic}.';

/** Aspects of a product review (Amazon Elec; its categories are already the context). */
export const PRODUCT_TOPICS: string[] = [
  'the price', 'the build quality', 'the battery life', 'ease of use', 'the delivery', 'customer service', 'durability',
  'the sound quality', 'the size and weight', 'the setup', 'the instructions', 'value for money',
];

/** Aspects of a restaurant review (Yelp). */
export const RESTAURANT_TOPICS: string[] = [
  'the food', 'the service', 'the prices', 'the atmosphere', 'the waiting time', 'the portions', 'cleanliness',
  'the drinks', 'the desserts', 'the staff', 'the location', 'the noise level',
];

/** Topic lists the Task step offers per preset ("Use suggested topics"), with the sentence that carries them. */
export const SUGGESTED_TOPICS: Record<string, { topics: string[]; template: string }> = {
  imdb: { topics: MOVIE_TOPICS, template: MOVIE_TOPIC_TEMPLATE },
  'sst-2': { topics: MOVIE_TOPICS, template: MOVIE_TOPIC_TEMPLATE },
  'rotten-tomatoes': { topics: MOVIE_TOPICS, template: MOVIE_TOPIC_TEMPLATE },
  subj: { topics: MOVIE_TOPICS, template: MOVIE_TOPIC_TEMPLATE },
  'amazon-elec': { topics: PRODUCT_TOPICS, template: 'Mention {topic}.' },
  yelp: { topics: RESTAURANT_TOPICS, template: 'Mention {topic}.' },
};

const DBPEDIA_CLASSES = [
  'Company', 'School', 'Artist', 'Athlete', 'Politician', 'Transportation', 'Building', 'Natural Place', 'Village',
  'Animal', 'Plant', 'Album', 'Film', 'Book',
];

function others(all: string[], name: string): string[] {
  return all.filter((n) => n !== name);
}

export const DEFAULT_TASK_ID = 'happy-sad-stories';

export const TASK_PRESETS: TaskSpec[] = [
  {
    id: 'happy-sad-stories',
    name: 'Happy vs sad stories (TinyStories)',
    source: 'SunGen Lab (written for the bundled TinyStories model)',
    labels: [
      // A character speaking: the parse rule keeps what she says, up to the closing quote.
      {
        name: 'happy',
        prompt: 'Lily was very happy. She smiled and said, "',
        instruction: 'Write one thing a very happy little girl says.',
        counterLabels: ['sad'],
      },
      {
        name: 'sad',
        prompt: 'Lily was very sad. She cried and said, "',
        instruction: 'Write one thing a very sad little girl says.',
        counterLabels: ['happy'],
      },
    ],
    // Tried on stories260K: λ = 50 makes the two labels' lines clearly more distinct than no debiasing.
    selfDebiasDecay: 50,
  },
  {
    id: 'imdb',
    name: 'IMDb (movie reviews)',
    source: 'ZeroGen tasks/imdb/imdb-x1.json + imdb-x2.json (label "0" = positive, "1" = negative)',
    context: movieTitle,
    labels: [
      {
        name: 'positive',
        prompt: 'The movie review in positive sentiment for movie "{context}" is: "',
        instruction: 'Write a positive review of the movie "{context}".',
      },
      {
        name: 'negative',
        prompt: 'The movie review in negative sentiment for movie "{context}" is: "',
        instruction: 'Write a negative review of the movie "{context}".',
      },
    ],
  },
  {
    id: 'sst-2',
    name: 'SST-2 (movie review sentences)',
    source: 'ZeroGen tasks/sst-2/sst-2-x1.json + sst-2-x2.json (label "0" = positive, "1" = negative)',
    context: movieTitle,
    labels: [
      {
        name: 'positive',
        prompt: 'The movie review in positive sentiment for movie "{context}" is: "',
        instruction: 'Write a positive one-sentence review of the movie "{context}".',
      },
      {
        name: 'negative',
        prompt: 'The movie review in negative sentiment for movie "{context}" is: "',
        instruction: 'Write a negative one-sentence review of the movie "{context}".',
      },
    ],
  },
  {
    id: 'rotten-tomatoes',
    name: 'Rotten Tomatoes (movie reviews)',
    source: 'ZeroGen tasks/sst-2 prompts (the papers use the movie-review prompt for Rotten Tomatoes; no file of its own)',
    context: movieTitle,
    labels: [
      {
        name: 'positive',
        prompt: 'The movie review in positive sentiment for movie "{context}" is: "',
        instruction: 'Write a positive one-sentence review of the movie "{context}".',
      },
      {
        name: 'negative',
        prompt: 'The movie review in negative sentiment for movie "{context}" is: "',
        instruction: 'Write a negative one-sentence review of the movie "{context}".',
      },
    ],
  },
  {
    id: 'amazon-elec',
    name: 'Amazon Elec (product reviews)',
    source: 'SunGen tasks/amazon/elec-x2.json (label "0" = positive, "1" = negative) + category_names.txt as contexts',
    context: { prompt: 'Product category: "', values: AMAZON_CATEGORIES, maxNewTokens: 8 },
    selfDebiasDecay: PAPER_DEBIAS_DECAY,
    labels: [
      {
        name: 'positive',
        prompt: 'The "{context}" product review in positive sentiment is: "',
        instruction: 'Write a positive customer review of a product in the category "{context}".',
        counterLabels: ['negative'],
      },
      {
        name: 'negative',
        prompt: 'The "{context}" product review in negative sentiment is: "',
        instruction: 'Write a negative customer review of a product in the category "{context}".',
        counterLabels: ['positive'],
      },
    ],
  },
  {
    id: 'yelp',
    name: 'Yelp (restaurant reviews)',
    source: 'SunGen tasks/yelp/yelp-x1.json + yelp-x2.json (label "0" = negative, "1" = positive)',
    context: { prompt: 'Restaurant: "', instruction: 'Name one restaurant. Reply with its name only.', maxNewTokens: 16 },
    selfDebiasDecay: PAPER_DEBIAS_DECAY,
    labels: [
      {
        name: 'positive',
        prompt: 'The "{context}" restaurant review in positive sentiment is: "',
        instruction: 'Write a positive review of the restaurant "{context}".',
        counterLabels: ['negative'],
      },
      {
        name: 'negative',
        prompt: 'The "{context}" restaurant review in negative sentiment is: "',
        instruction: 'Write a negative review of the restaurant "{context}".',
        counterLabels: ['positive'],
      },
    ],
  },
  {
    id: 'subj',
    name: 'SUBJ (subjective vs objective)',
    source: 'SunGen tasks/subj/subj-x1.json + subj-x2.json (label "0" = objective, "1" = subjective)',
    context: movieTitle,
    selfDebiasDecay: PAPER_DEBIAS_DECAY,
    labels: [
      {
        name: 'objective',
        prompt: 'The movie review with factual contents (objective) for movie "{context}": "',
        instruction: 'Write one factual sentence about the plot or the making of the movie "{context}", with no opinion.',
        counterLabels: ['subjective'],
      },
      {
        name: 'subjective',
        prompt: 'The movie review with opinions (subjective) for movie "{context}": "',
        instruction: 'Write one sentence giving a personal opinion about the movie "{context}".',
        counterLabels: ['objective'],
      },
    ],
  },
  {
    id: 'ag-news',
    name: 'AG News (news topics)',
    source: 'SunGen tasks/agnews/agnews-x1.json (0 World, 1 Sports, 2 Business, 3 Technology → label Sci/Tech)',
    selfDebiasDecay: PAPER_DEBIAS_DECAY,
    labels: [
      { name: 'World', prompt: 'The news articles is in the category of World: "', instruction: 'Write a short news article about world news.', counterLabels: ['Sports', 'Business', 'Sci/Tech'] },
      { name: 'Sports', prompt: 'The news articles is in the category of Sports: "', instruction: 'Write a short news article about sports.', counterLabels: ['World', 'Business', 'Sci/Tech'] },
      { name: 'Business', prompt: 'The news articles is in the category of Business: "', instruction: 'Write a short news article about business.', counterLabels: ['World', 'Sports', 'Sci/Tech'] },
      { name: 'Sci/Tech', prompt: 'The news articles is in the category of Technology: "', instruction: 'Write a short news article about science and technology.', counterLabels: ['World', 'Sports', 'Business'] },
    ],
  },
  {
    id: 'dbpedia',
    name: 'DBpedia (14 topics)',
    source: 'SunGen tasks/dbpedia/dbpedia-x1.json (ids 0-13 in the order Company … Book)',
    selfDebiasDecay: PAPER_DEBIAS_DECAY,
    labels: DBPEDIA_CLASSES.map((c) => ({
      name: c,
      prompt: `The article classified to the category of ${c}: "`,
      instruction: `Write a short encyclopedia article about a ${c.toLowerCase()}.`,
      counterLabels: others(DBPEDIA_CLASSES, c),
    })),
  },
];

export function findTaskPreset(id: string): TaskSpec | undefined {
  return TASK_PRESETS.find((t) => t.id === id);
}
